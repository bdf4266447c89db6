"""The worker tests' services: a Redis of their own and an SMTP server of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from tests.services import broker_and_smtp
from tests.smtp import SmtpServer


@pytest.fixture
def services(pg_database: Database, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, SmtpServer]]:
    """Settings pointing at a broker of our own and at a listening SMTP server."""
    with broker_and_smtp(pg_database, tmp_path, monkeypatch) as both:
        yield both


@pytest.fixture
def refusing_smtp(pg_database: Database, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, SmtpServer]]:
    """Settings pointing at a broker of our own and at an SMTP port nobody listens on yet."""
    with broker_and_smtp(pg_database, tmp_path, monkeypatch, smtp_listening=False) as both:
        yield both
