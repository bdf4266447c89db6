"""`mqa demo` replaces only a database it created itself; any other is refused untouched."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from mqa_workflow.accounts.models import User
from mqa_workflow.audit.keys import default_home
from mqa_workflow.cli import app
from mqa_workflow.db import Database
from mqa_workflow.demo.models import DemoMarker
from mqa_workflow.migrations.service import upgrade
from tests import factories
from tests.services import own_postgresql_database


def _demo(tmp_path: Path, *target: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["demo", "--applications", "6", "--seed", "3",
                                      *target, "--reports", str(tmp_path / "reports")])
    return result.exit_code, " ".join(result.output.split())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_demo_creates_marks_and_later_replaces_its_own_sqlite_file(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite3"
    for _ in range(2):  # the second run replaces the first run's database
        code, output = _demo(tmp_path, "--database", str(target))
        assert code == 0, output
        database = Database(f"sqlite:///{target}")
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(DemoMarker)) == 1
        database.engine.dispose()
    assert default_home(f"sqlite:///{target}").is_dir()


def test_the_demo_refuses_a_real_sqlite_database_and_leaves_it_as_it_was(
        sqlite_database: Database, tmp_path: Path) -> None:
    with sqlite_database.session() as session:
        factories.user(session)
    sqlite_database.engine.dispose()
    path = Path(make_url(sqlite_database.url).database or "")
    before = _digest(path)
    code, output = _demo(tmp_path, "--database", str(path))
    assert code == 2
    assert f"{path} is not a database `mqa demo` created (it has no demo marker): the demo " \
           "never overwrites it" in output
    assert _digest(path) == before


def test_the_demo_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("评审会议纪要，不是数据库" * 200, encoding="utf-8")
    before = _digest(notes)
    code, output = _demo(tmp_path, "--database", str(notes))
    assert code == 2 and "cannot be read as a database" in output
    assert _digest(notes) == before


@pytest.mark.postgres
def test_the_demo_refuses_a_real_postgresql_database(pg_database: Database,
                                                     tmp_path: Path) -> None:
    with pg_database.session() as session:
        factories.user(session)
    code, output = _demo(tmp_path, "--database-url", pg_database.url)
    assert code == 2 and "is not a database `mqa demo` created" in output
    with pg_database.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


@pytest.fixture
def empty_postgresql(postgres_url: str) -> Iterator[str]:
    """An empty database of this test's own on the test server."""
    with own_postgresql_database(postgres_url, "demo") as url:
        yield url


@pytest.mark.postgres
def test_the_demo_fills_an_empty_postgresql_database_and_replaces_only_its_own(
        empty_postgresql: str, tmp_path: Path) -> None:
    for _ in range(2):
        code, output = _demo(tmp_path, "--database-url", empty_postgresql)
        assert code == 0, output
    database = Database(empty_postgresql)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(DemoMarker)) == 1
    database.engine.dispose()
    upgrade(empty_postgresql)  # still at the head: the schema is the demo's, whole
