"""A real Celery worker takes a bulk of transitions' notices as one task and stores them
in one transaction; the same batch delivered again stores nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.notifications.models import Notification
from mqa_workflow.notifications.tasks import STATE_CHANGED
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.outbox.registry import BATCH_SUFFIX
from mqa_workflow.states.bulk import advance_all
from mqa_workflow.worker.celery_app import make_celery
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.services import RedisServer, free_port, start_worker, stop, wait_for


def _notices(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Notification)) or 0


@pytest.mark.postgres
@pytest.mark.redis
def test_a_worker_stores_a_bulk_of_notices_from_one_task_once(
    pg_database: Database, tmp_path: Path
) -> None:
    with pg_database.session() as session:
        cycle = factories.cycle(session)
        for _ in range(6):
            application = factories.application(session, award_cycle=cycle)
            factories.user(session, Role.APPLICANT_CONTACT,
                           organization=application.organization)
        cycle_id, admin = cycle.id, factories.user(session, Role.ADMINISTRATOR).email
    advance_all(pg_database, cycle_id=cycle_id, award_class=None, trigger="submit",
                actor_ref=admin)
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    settings = Settings(database_url=pg_database.url, broker_url=redis.url,
                        result_backend=redis.url)
    worker = start_worker(pg_database.url, redis.url, tmp_path / "worker.log")
    try:
        assert dispatch_pending(pg_database, settings).sent == 6
        wait_for(lambda: _notices(pg_database) == 6, 60, "the worker to store the notices")
        with pg_database.session() as session:
            items = [[m.payload, m.idempotency_key] for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.task == STATE_CHANGED))]
            assert session.scalar(select(func.count()).select_from(ProcessedTask)) == 6
        again = make_celery(settings).send_task(STATE_CHANGED + BATCH_SUFFIX,
                                                kwargs={"items": items})
        assert again.get(timeout=60) == 0  # every key done: nothing stored twice
        assert _notices(pg_database) == 6
    finally:
        stop(worker)
        redis.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    done = re.findall(rf"Task {re.escape(STATE_CHANGED + BATCH_SUFFIX)}\[[^\]]+\] succeeded", log)
    assert len(done) == 2  # the one relayed, and the same batch again
    assert f"Task {STATE_CHANGED}[" not in log  # no task per transition
