"""Fault: workers SIGKILLed in the middle of an assignment, an aggregation (score
consolidation) and a notification (e-mail) task.

Real PostgreSQL, a throw-away redis-server, real Celery worker processes and a real SMTP
server. To catch each task *in the middle* without touching production code, the test
makes the task wait on the outside world: it holds a table lock on the table the
assignment (``review_assignments``) and the consolidation (``consolidated_scores``) write
to, so each worker's transaction has done its reading and waits inside its INSERT; and
the SMTP server holds the e-mail in the DATA phase. Then the workers are SIGKILLed.

Two ways a task comes back:

* the whole worker dies (no parent left to tell anyone): the task was never
  acknowledged, so Redis hands it to the next worker once the visibility timeout has
  passed (``MQA_VISIBILITY_TIMEOUT``, shortened here so the test waits seconds, not the
  production hour);
* only the prefork child dies (the OOM killer's usual victim): the parent sees the
  child go, rejects the message back to the queue (``task_reject_on_worker_lost``) and
  a fresh child runs it at once, with the production visibility timeout.

Either way each task completes once (its idempotency key is in ``processed_tasks``
once, its rows exist once), no e-mail is sent twice and nothing is lost.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, func, select, text

from mqa_workflow.accounts.models import Role
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.notifications.models import Channel, Delivery, Notification
from mqa_workflow.notifications.service import notify
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.reviews.models import ConsensusSheet, PoolReviewer, ReviewAssignment
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.factories import everything
from tests.services import (
    REPO,
    start_worker,
    stop,
    wait_for,
)
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

VISIBILITY_TIMEOUT = 3  # seconds; production keeps 3600 (see Settings.visibility_timeout)
LOCKED_TABLES = ("review_assignments", "consolidated_scores")


def _queue_the_three_tasks(database: Database) -> dict[str, int]:
    """An application to assign, one to consolidate and an e-mail to send, in the outbox
    exactly as their transitions leave them."""
    with database.session() as session:
        cycle = factories.cycle(session, {"reviewers_per_application": 2})
        to_assign = factories.application(session, state="document_review", award_cycle=cycle)
        for n in range(4):
            reviewer = factories.user(session, Role.REVIEWER)
            session.add(PoolReviewer(user_id=reviewer.id, classes=["economic"],
                                     industries=["电子信息"], capacity=3, may_lead=n < 2))
        to_score = factories.application(session, state="consolidated_scoring",
                                         award_cycle=cycle)
        admin = factories.user(session)
        for stage, value in (("document_review", 60), ("site_visit", 70)):
            session.add(ConsensusSheet(application_id=to_score.id, stage=stage,
                                       percentages=everything(value), total=Decimal(0),
                                       recorded_by=admin.id))
        contact = factories.user(session, Role.APPLICANT_CONTACT,
                                 organization=to_assign.organization)
        session.flush()
        notice = notify(session, contact, "state_changed", {
            "application_id": to_assign.id, "title": to_assign.title, "cycle": cycle.name,
            "award_class": "economic", "from_state": "eligibility_check",
            "to_state": "document_review", "reason": "", "correction_due_at": None})
        enqueue(session, "reviews.assign_document_review",
                {"application_id": to_assign.id}, "fault-assign")
        enqueue(session, "scoring.consolidate", {"application_id": to_score.id},
                "fault-consolidate")
        return {"assign": to_assign.id, "score": to_score.id, "contact": contact.id,
                "notice": notice.id}


def _lock_tables(url: str) -> tuple[Connection, int]:
    """Block writers of the tables (readers go on) until the returned connection ends."""
    engine = create_engine(url)
    connection = engine.connect()
    connection.execute(text(f"LOCK TABLE {', '.join(LOCKED_TABLES)} IN EXCLUSIVE MODE"))
    backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return connection, backend


def _release(locker: Connection) -> None:
    locker.rollback()
    locker.close()
    locker.engine.dispose()


def _blocked_backends(database: Database, locker: int) -> int:
    """Workers' sessions waiting for the test's lock: their task is mid-transaction."""
    with database.engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND :locker = ANY(pg_blocking_pids(pid))"),
            {"locker": locker}).scalar_one()


def _count(database: Database, model: type, *where: object) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _all_done(database: Database, settings: Settings) -> bool:
    dispatch_pending(database, settings)  # the relay, as `mqa outbox relay --loop` runs it
    with database.session() as session:
        keys = set(session.scalars(select(OutboxMessage.idempotency_key)))
        done = set(session.scalars(select(ProcessedTask.idempotency_key)))
    return bool(keys) and keys <= done


def _assert_everything_happened_once(database: Database, ids: dict[str, int],
                                     smtp: SmtpServer) -> None:
    team = ReviewAssignment.application_id == ids["assign"]
    assert _count(database, ReviewAssignment, team) == 2
    assert _count(database, ReviewAssignment, team, ReviewAssignment.is_leader) == 1
    with database.session() as session:
        score = session.get(ConsolidatedScore, ids["score"])
        assert score is not None and score.total == Decimal("330")  # .4 × 300 + .6 × 350
        emails = session.scalars(select(Delivery).where(Delivery.channel == Channel.EMAIL)).all()
        assert [(d.status, d.attempts) for d in emails] == [("sent", 1)]
        keys = session.scalars(select(ProcessedTask.idempotency_key)).all()
        assert sorted(keys) == sorted(["fault-assign", "fault-consolidate",
                                       f"email:{emails[0].id}"])
    assert _count(database, Notification, Notification.user_id == ids["contact"]) == 1
    assert len(smtp.messages) == 1  # the one held while its sender died was refused
    assert smtp.messages[0]["Message-ID"] == f"<mqa-delivery-{emails[0].id}@office.sz>"


def test_tasks_of_sigkilled_workers_are_redelivered_and_complete_once(
    pg_database: Database, services: tuple[Settings, SmtpServer], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, smtp = services
    monkeypatch.setenv("MQA_VISIBILITY_TIMEOUT", str(VISIBILITY_TIMEOUT))  # workers read it
    ids = _queue_the_three_tasks(pg_database)
    locker, locker_pid = _lock_tables(pg_database.url)
    smtp.handler.hold_next = True
    doomed = [start_worker(pg_database.url, settings.broker_url, tmp_path / f"doomed{n}.log")
              for n in range(3)]  # one task each: solo pool, prefetch 1, late ack
    try:
        assert dispatch_pending(pg_database, settings).sent == 3
        wait_for(lambda: _blocked_backends(pg_database, locker_pid) == 2
                 and smtp.handler.holding.is_set(), 45, "all three tasks to be mid-way")
        for worker in doomed:
            os.kill(worker.pid, signal.SIGKILL)  # no warm shutdown, nothing acknowledged
        for worker in doomed:
            worker.wait(10)
    finally:
        for worker in doomed:
            stop(worker) if worker.poll() is None else None
        _release(locker)
        smtp.handler.release.set()
    assert _count(pg_database, ProcessedTask) == 0  # killed mid-way: nothing committed

    survivor = start_worker(pg_database.url, settings.broker_url, tmp_path / "survivor.log")
    try:
        wait_for(lambda: _all_done(pg_database, settings), 45,
                 "the new worker to finish the killed workers' tasks")
    finally:
        stop(survivor)
    _assert_everything_happened_once(pg_database, ids, smtp)
    with pg_database.session() as session:  # the relay sent each row once: the broker
        attempts = session.scalars(select(OutboxMessage.attempts))  # redelivered the rest
        assert list(attempts) == [1, 1, 1]
    log = (tmp_path / "survivor.log").read_text(errors="replace")
    for task in ("reviews.assign_document_review", "scoring.consolidate",
                 "notifications.send_email"):
        assert re.search(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", log)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _prefork_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """One prefork worker with one child, the production visibility timeout (one hour)."""
    env = os.environ | {"MQA_DATABASE_URL": settings.database_url,
                        "MQA_BROKER_URL": settings.broker_url,
                        "MQA_RESULT_BACKEND": settings.broker_url}
    env.pop("MQA_VISIBILITY_TIMEOUT", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mqa_workflow.worker.celery_app", "worker",
         "--pool", "prefork", "--concurrency", "1", "-Q", "work,notifications",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def test_a_task_whose_pool_child_is_sigkilled_is_requeued_at_once(
    pg_database: Database, services: tuple[Settings, SmtpServer], tmp_path: Path,
) -> None:
    settings, _ = services
    ids = _queue_the_three_tasks(pg_database)
    with pg_database.session() as session:  # only the assignment this time
        session.execute(text("DELETE FROM outbox_messages WHERE idempotency_key <> "
                             "'fault-assign'"))
    locker, locker_pid = _lock_tables(pg_database.url)
    worker = _prefork_worker(settings, tmp_path / "prefork.log")
    try:
        assert dispatch_pending(pg_database, settings).sent == 1
        wait_for(lambda: _blocked_backends(pg_database, locker_pid) == 1, 45,
                 "the assignment to be mid-way")
        children = _children(worker.pid)
        assert len(children) == 1
        os.kill(children[0], signal.SIGKILL)
        _release(locker)
        wait_for(lambda: _all_done(pg_database, settings), 30,
                 "a fresh child to run the requeued assignment")
    finally:
        stop(worker)
    team = ReviewAssignment.application_id == ids["assign"]
    assert _count(pg_database, ReviewAssignment, team) == 2
    assert _count(pg_database, ProcessedTask) == 1
    log = (tmp_path / "prefork.log").read_text(errors="replace")
    assert "WorkerLostError" in log  # the parent saw its child die and requeued the task
    assert log.count("Task reviews.assign_document_review[") >= 2  # received, run again
