"""Fault: Redis stops while administrators advance cases.

Real PostgreSQL, a throw-away redis-server and a real Celery worker. The commands the
administrators run commit their transitions with Redis down (the state, the audit record
and the outbox row together); the outbox holds the work; when Redis is back the relay
hands it over and the worker, which was never restarted, does every piece exactly once.
(``tests/worker/test_outbox_and_worker.py`` covers a broker that was never up; this one stops
a live broker under a running worker.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import add_user
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.cli import app
from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.notifications.models import Notification
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.services import RedisServer, free_port, start_worker, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CASES = 6


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def admin_cli(pg_database: Database, redis: RedisServer,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """`mqa …` as the administrator, against PostgreSQL and the broker."""
    for name, value in {"MQA_DATABASE_URL": pg_database.url, "MQA_BROKER_URL": redis.url,
                        "MQA_RESULT_BACKEND": redis.url, "MQA_ACTOR": "admin@office.sz"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    get_database.cache_clear()

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    yield invoke
    get_settings.cache_clear()
    get_database.cache_clear()


def _submitted_cases(database: Database) -> tuple[int, list[int], dict[int, int]]:
    """A cycle with submitted applications, each with a contact to tell."""
    with database.session() as session:
        add_user(session, name="管理员", email="admin@office.sz", roles=[Role.ADMINISTRATOR])
        cycle = factories.cycle(session)
        contacts = {}
        for _ in range(CASES):
            application = factories.application(session, state="submitted", award_cycle=cycle)
            contact = factories.user(session, Role.APPLICANT_CONTACT,
                                     organization=application.organization)
            contacts[application.id] = contact.id
        return cycle.id, sorted(contacts), contacts


def _scalar(database: Database, query: object) -> int:
    with database.session() as session:
        return session.scalar(query) or 0  # type: ignore[call-overload]


def _told(database: Database, contact_id: int) -> int:
    return _scalar(database, select(func.count()).where(Notification.user_id == contact_id))


def _relayed_and_done(database: Database, settings: Settings) -> bool:
    dispatch_pending(database, settings)  # what `mqa outbox relay --loop` does every second
    return _scalar(database, select(func.count()).select_from(ProcessedTask)) == CASES


def test_transitions_commit_while_redis_is_down_and_their_work_is_delivered_once_it_is_back(
    pg_database: Database, redis: RedisServer, admin_cli, tmp_path: Path,
) -> None:
    cycle_id, cases, contacts = _submitted_cases(pg_database)
    settings = Settings(database_url=pg_database.url, broker_url=redis.url,
                        result_backend=redis.url)
    log = tmp_path / "worker.log"
    worker = start_worker(pg_database.url, redis.url, log)
    try:
        admin_cli("case", "advance", str(cases[0]), "begin_eligibility_check")
        wait_for(lambda: _told(pg_database, contacts[cases[0]]) == 1, 45,
                 "the worker to tell the first applicant (broker up)")

        redis.stop()
        single = admin_cli("case", "advance", str(cases[1]), "begin_eligibility_check")
        bulk = admin_cli("case", "advance-all", "begin_eligibility_check",
                         "--cycle", str(cycle_id))
        for output in (single, bulk):
            assert "stay queued in the outbox" in output.replace("\n", " ")
        states = _scalar(pg_database, select(func.count()).where(
            Application.state == "eligibility_check"))
        assert states == CASES  # every transition committed with the broker down
        assert _scalar(pg_database, select(func.count()).select_from(AuditRecord)) == CASES
        assert "pending 5" in admin_cli("outbox", "status")  # the outbox holds the work
        assert f"audit trail intact: {CASES} record(s)" in admin_cli("audit", "verify")

        redis.start()  # same port, empty: the outbox, not the broker, kept the work
        wait_for(lambda: _relayed_and_done(pg_database, settings), 45,
                 "the relay and the same worker to deliver the queued work")
        assert worker.poll() is None  # never restarted
    finally:
        stop(worker)

    assert [_told(pg_database, contacts[case]) for case in cases] == [1] * CASES
    with pg_database.session() as session:
        pending = session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
        assert pending == 0
    text = log.read_text(errors="replace")
    assert "Connection to broker lost" in text or "Cannot connect to redis" in text
