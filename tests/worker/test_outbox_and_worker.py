"""Background work: the outbox survives a dead broker, relays never double-send,
redelivered tasks do their work once, and a real Celery worker runs them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import now, set_clock
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.notifications.models import Notification
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.outbox.registry import execute, run
from mqa_workflow.outbox.service import enqueue, lag, relay_once
from mqa_workflow.states.engine import advance
from mqa_workflow.worker.celery_app import make_celery
from mqa_workflow.worker.collect import collect
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.services import RedisServer, free_port, start_worker, stop, wait_for


def _submitted_with_contact(database: Database) -> tuple[int, int]:
    with database.session() as session:
        application = factories.application(session)
        contact = factories.user(session, Role.APPLICANT_CONTACT,
                                 organization=application.organization)
        advance(session, application.id, "submit", contact)
        return application.id, contact.id


def _inbox(database: Database, user_id: int) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).where(Notification.user_id == user_id)) or 0


def test_in_process_tasks_run_once_and_mark_their_row_done(database: Database) -> None:
    _, contact_id = _submitted_with_contact(database)
    first = dispatch_pending(database, Settings(broker_url=""))
    second = dispatch_pending(database, Settings(broker_url=""))
    assert (first.sent, second.sent) == (1, 0)
    assert _inbox(database, contact_id) == 1
    with database.session() as session:
        assert lag(session).pending == 0


def test_a_redelivered_task_does_its_work_once(database: Database) -> None:
    app_id, contact_id = _submitted_with_contact(database)
    payload = {"application_id": app_id, "trigger": "submit", "from_state": "draft",
               "to_state": "submitted"}
    collect()  # as a worker does before running any task
    assert run(database, "notifications.state_changed", payload, "key-1") is True
    assert run(database, "notifications.state_changed", payload, "key-1") is False
    assert _inbox(database, contact_id) == 1


def test_a_failing_task_is_rolled_back_kept_and_retried_later(database: Database) -> None:
    with database.session() as session:
        enqueue(session, "no.such.task", {}, "broken-1")
    run_ = dispatch_pending(database, Settings(broker_url=""))
    assert run_.failed == 1 and "no task named" in run_.last_error
    with database.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and message.attempts == 1
        assert message.available_at > now()
        assert lag(session).failing == 1


def test_with_the_broker_down_the_transition_commits_and_its_work_waits(
    database: Database,
) -> None:
    _submitted_with_contact(database)
    dead_broker = Settings(broker_url=f"redis://127.0.0.1:{free_port()}/0")
    relayed = dispatch_pending(database, dead_broker)
    assert relayed.failed == 1 and relayed.sent == 0
    with database.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and message.last_error
        assert session.scalar(select(func.count()).select_from(ProcessedTask)) == 0


class _BatchThatFailsAsItCloses:
    """A sender that buffers its batch and loses it when the batch is sent (a broker that
    goes away between the rows and the pipeline's execution)."""

    def __init__(self) -> None:
        self.buffered: list[str] = []

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield
        raise ConnectionError("broker went away")

    def __call__(self, message: OutboxMessage) -> None:
        self.buffered.append(message.idempotency_key)


def test_a_batch_that_fails_as_it_is_sent_leaves_every_row_pending(database: Database) -> None:
    with database.session() as session:
        for n in range(5):
            enqueue(session, "notifications.state_changed", {"n": n}, f"batch-{n}")
    sender = _BatchThatFailsAsItCloses()
    relayed = relay_once(database, sender, batch=10)
    assert len(sender.buffered) == 5
    assert (relayed.sent, relayed.failed) == (0, 1) and "went away" in relayed.last_error
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None))) == 5


@pytest.mark.postgres
def test_concurrent_relays_never_send_a_row_twice(pg_database: Database) -> None:
    with pg_database.session() as session:
        for n in range(120):
            enqueue(session, "notifications.state_changed", {"n": n}, f"relay-{n}")
    sent: list[int] = []
    lock = threading.Lock()

    def send(message: OutboxMessage) -> None:
        time.sleep(0.002)  # long enough for the relays to overlap
        with lock:
            sent.append(message.payload["n"])

    def relay() -> None:
        while relay_once(pg_database, send, batch=7).sent:
            pass

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(sent) == list(range(120))


@pytest.mark.postgres
@pytest.mark.redis
def test_work_queued_while_the_broker_was_down_is_delivered_once_it_is_back(
    pg_database: Database, tmp_path: Path
) -> None:
    app_id, contact_id = _submitted_with_contact(pg_database)
    redis = RedisServer(free_port(), tmp_path)
    settings = Settings(database_url=pg_database.url, broker_url=redis.url,
                        result_backend=redis.url)
    assert dispatch_pending(pg_database, settings).failed == 1  # broker not started yet

    redis.start()
    worker = start_worker(pg_database.url, redis.url, tmp_path / "worker.log")
    try:
        later = now() + timedelta(hours=1)  # past the row's back-off
        set_clock(lambda: later)
        assert dispatch_pending(pg_database, settings).sent == 1
        wait_for(lambda: _inbox(pg_database, contact_id) == 1, 60,
                 "the worker to deliver the notification")
        # The broker redelivers the same task (same idempotency key): nothing new happens.
        with pg_database.session() as session:
            message = session.scalars(select(OutboxMessage)).one()
            key, payload = message.idempotency_key, message.payload
        celery = make_celery(settings)
        result = celery.send_task("notifications.state_changed",
                                  kwargs={"payload": payload, "idempotency_key": key})
        assert result.get(timeout=60) is False
        assert _inbox(pg_database, contact_id) == 1
        assert app_id
    finally:
        stop(worker)
        redis.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "notifications.state_changed" in log


def test_a_task_for_an_unknown_key_is_executed_in_the_callers_transaction(
    database: Database,
) -> None:
    app_id, contact_id = _submitted_with_contact(database)
    collect()
    with database.session() as session:
        assert execute(session, "notifications.state_changed",
                       {"application_id": app_id, "trigger": "submit",
                        "from_state": "draft", "to_state": "submitted"}, "k") is True
        session.rollback()  # the caller's failure takes the work and its key with it
    assert _inbox(database, contact_id) == 0
