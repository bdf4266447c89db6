"""A task whose work failed is reported failed, on a real worker, while the database keeps
the failure and its scheduled retry (the e-mail back-off is still the database's).

The SMTP server refuses the connection (it is not listening): the `send_email` task and the
e-mail sweep end in FAILURE, the worker's log says so (not "succeeded"), the failed-task count
on the broker goes up, and once the server answers the sweep sends the e-mail.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import now
from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import Database
from mqa_workflow.deadlines.tasks import SCAN
from mqa_workflow.notifications.models import Channel, Delivery
from mqa_workflow.notifications.samples import SAMPLES
from mqa_workflow.notifications.service import SEND_EMAIL, notify
from mqa_workflow.notifications.tasks import DELIVER
from mqa_workflow.worker.broker import broker_figures
from mqa_workflow.worker.celery_app import make_celery
from tests import factories
from tests.services import start_worker, stop, wait_for
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _email(database: Database) -> int:
    with database.session() as session:
        user = factories.user(session, Role.REVIEWER)
        notice = notify(session, user, "reminder", SAMPLES["reminder"])
        return next(d.id for d in notice.deliveries if d.channel == Channel.EMAIL)


def _delivery(database: Database, delivery_id: int) -> Delivery:
    with database.session() as session:
        return session.scalars(select(Delivery).where(Delivery.id == delivery_id)).one()


def _failed(settings: Settings, task: str) -> int:
    figures = broker_figures(settings, inspect_timeout=0.2)
    return figures.failed.get(task, 0) if figures else 0


def test_an_email_the_smtp_server_refused_ends_its_task_failed_and_is_retried_by_the_database(
    pg_database: Database, refusing_smtp: tuple[Settings, SmtpServer], tmp_path: Path
) -> None:
    settings, smtp = refusing_smtp
    delivery_id = _email(pg_database)
    celery = make_celery(settings)
    log = tmp_path / "worker.log"
    worker = start_worker(pg_database.url, settings.broker_url, log)
    try:
        result = celery.send_task(SEND_EMAIL, kwargs={"payload": {"delivery_id": delivery_id},
                                                      "idempotency_key": f"email:{delivery_id}"})
        result.get(timeout=60, propagate=False)
        assert result.state == "FAILURE"
        assert "ConnectionRefusedError" in str(result.result)
        # The failure was committed before the task failed: recorded, and its retry scheduled.
        delivery = _delivery(pg_database, delivery_id)
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert "ConnectionRefusedError" in delivery.last_error
        assert delivery.next_attempt_at > now()
        wait_for(lambda: _failed(settings, SEND_EMAIL) == 1, 30, "the failure to be counted")

        with pg_database.session() as session:  # a minute later: due again, still refused
            session.get(Delivery, delivery_id).next_attempt_at = now()
        sweep = celery.send_task(DELIVER)
        sweep.get(timeout=60, propagate=False)
        assert sweep.state == "FAILURE"
        assert "1 e-mail(s) not sent" in str(sweep.result)
        assert _delivery(pg_database, delivery_id).attempts == 2

        smtp.start()
        with pg_database.session() as session:
            session.get(Delivery, delivery_id).next_attempt_at = now()
        assert celery.send_task(DELIVER).get(timeout=60)["sent"] == 1
    finally:
        stop(worker)
    assert len(smtp.messages) == 1
    assert _delivery(pg_database, delivery_id).status == "sent"
    text = log.read_text()
    assert f"{SEND_EMAIL}[" in text and "raised" in text
    assert not any(SEND_EMAIL in line and "succeeded" in line for line in text.splitlines())


def test_in_process_a_refused_email_is_recorded_and_its_outbox_task_done(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Celery to report to: the delivery row keeps the failure and its retry, and the
    outbox task is not retried on top of the e-mail's own schedule."""
    from mqa_workflow.outbox.models import OutboxMessage
    from mqa_workflow.worker.dispatch import dispatch_pending

    for name, value in SmtpServer().env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    delivery_id = _email(database)
    run = dispatch_pending(database, Settings(broker_url=""))
    assert (run.sent, run.failed) == (1, 0)
    delivery = _delivery(database, delivery_id)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in delivery.last_error
    with database.session() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is not None and message.last_error in (None, "")
    get_settings.cache_clear()


def test_workers_send_task_events_so_flower_sees_every_task(
    pg_database: Database, refusing_smtp: tuple[Settings, SmtpServer], tmp_path: Path
) -> None:
    """What Flower listens to: a worker started without -E still sends each task's events."""
    settings, _ = refusing_smtp
    celery = make_celery(settings)
    seen: list[tuple[str, str]] = []
    names: dict[str, str] = {}

    def on_event(event: dict[str, object]) -> None:
        uuid, kind = str(event.get("uuid", "")), str(event.get("type", ""))
        if event.get("name"):
            names[uuid] = str(event["name"])
        if kind.startswith("task-"):
            seen.append((kind, uuid))

    worker = start_worker(pg_database.url, settings.broker_url, tmp_path / "worker.log")
    try:
        with celery.connection_for_read() as connection:
            receiver = celery.events.Receiver(connection, handlers={"*": on_event})
            consumer = threading.Thread(target=receiver.capture,
                                        kwargs={"limit": None, "timeout": 60}, daemon=True)
            consumer.start()
            time.sleep(0.5)  # the receiver's queue is bound before the task is sent
            result = celery.send_task(SCAN)
            result.get(timeout=60)
            wait_for(lambda: ("task-succeeded", result.id) in seen, 30,
                     "the worker's task-succeeded event")
            receiver.should_stop = True
            consumer.join(10)
    finally:
        stop(worker)
    kinds = [kind for kind, uuid in seen if uuid == result.id]
    assert {"task-sent", "task-received", "task-started", "task-succeeded"} <= set(kinds)
    assert names[result.id] == SCAN
