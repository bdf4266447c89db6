"""The real path: PostgreSQL, a throw-away Redis, real Celery workers and a real SMTP server.

A worker is killed (SIGKILL) while it is handing an e-mail to the SMTP server; another
worker starts, the scan runs again as two beats would, and every reminder still reaches
its reader exactly once. The operator figures come from the live broker.
"""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import start_http_server
from sqlalchemy import func, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.cli.monitoring import report
from mqa_workflow.clock import now
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.deadlines.tasks import SCAN
from mqa_workflow.monitoring.figures import collect
from mqa_workflow.monitoring.metrics import registry_for
from mqa_workflow.notifications.models import Channel, Delivery, Notification, SentNotice
from mqa_workflow.notifications.tasks import DELIVER
from mqa_workflow.reviews.models import ReviewAssignment
from mqa_workflow.worker.broker import broker_figures
from mqa_workflow.worker.celery_app import make_celery
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.services import start_worker, stop, wait_for
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _review_due_in_two_days(database: Database) -> int:
    """Due two days from the wall clock the workers read: the 3-day reminder is due now."""
    with database.session() as session:
        factories.user(session, Role.ADMINISTRATOR)
        application = factories.application(session, state="document_review")
        reviewer = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                     stage="document_review", due_at=now() + timedelta(days=2)))
        return reviewer.id


def _count(database: Database, model: type, *where: object) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_each_reminder_is_emailed_once_across_a_killed_worker_and_repeated_scans(
    pg_database: Database, services: tuple[Settings, SmtpServer], tmp_path: Path
) -> None:
    settings, smtp = services
    reviewer_id = _review_due_in_two_days(pg_database)
    celery = make_celery(settings)
    first = start_worker(pg_database.url, settings.broker_url, tmp_path / "first.log")
    try:
        sent = celery.send_task(SCAN).get(timeout=60)["sent"]
        assert sent == {"assignment": 1, "reminder": 1}
        smtp.handler.hold_next = True  # the first e-mail hangs in the SMTP conversation
        assert dispatch_pending(pg_database, settings).sent == 2  # two send_email tasks
        wait_for(smtp.handler.holding.is_set, 60, "the worker to start sending an e-mail")
        os.kill(first.pid, signal.SIGKILL)  # mid-send, its transaction never commits
        first.wait(10)
    finally:
        stop(first) if first.poll() is None else None
    smtp.handler.release.set()

    second = start_worker(pg_database.url, settings.broker_url, tmp_path / "second.log")
    try:
        for _ in range(2):  # two beats: the scan and the e-mail sweep, twice each
            assert celery.send_task(SCAN).get(timeout=60)["sent"] == {}
            celery.send_task(DELIVER).get(timeout=60)
        wait_for(lambda: len(smtp.messages) == 2, 60, "both e-mails to arrive")
    finally:
        stop(second)

    subjects = sorted(message["Subject"] for message in smtp.messages)
    assert subjects[0].startswith("提醒：评审评分表将于 2 天内到期")
    assert subjects[1].startswith("评审任务")
    assert len({message["Message-ID"] for message in smtp.messages}) == 2
    assert _count(pg_database, Notification, Notification.user_id == reviewer_id) == 2
    assert _count(pg_database, SentNotice) == 2
    with pg_database.session() as session:
        emails = session.scalars(select(Delivery).where(Delivery.channel == Channel.EMAIL)).all()
        assert [(d.status, d.attempts) for d in emails] == [("sent", 1), ("sent", 1)]


def test_queues_and_metrics_read_the_live_broker_and_count_retried_tasks(
    pg_database: Database, services: tuple[Settings, SmtpServer], tmp_path: Path
) -> None:
    settings, _ = services
    celery = make_celery(settings)
    # No worker yet: the waiting task's age shows, and the figures say there is no worker.
    celery.send_task(SCAN)
    time.sleep(1.2)
    with pg_database.session() as session:
        waiting = collect(session, settings.model_copy(update={"queue_age_alert_seconds": 1}),
                          inspect_timeout=0.3)
    assert waiting.broker is not None and waiting.broker.depths["work"] == 1
    assert waiting.broker.oldest_queued_seconds >= 1.0
    assert {a.kind for a in waiting.alerts} == {"no_worker", "queue_stale"}
    worker = start_worker(pg_database.url, settings.broker_url, tmp_path / "worker.log")
    try:
        # A task that fails (no such delivery argument) is retried with back-off and counted.
        celery.send_task("notifications.send_email",
                         kwargs={"payload": {}, "idempotency_key": "broken"})
        wait_for(lambda: _retried(settings) >= 1, 60, "a counted retry")
        with pg_database.session() as session:
            figures = collect(session, settings, inspect_timeout=3)
        lines = "\n".join(report(figures))
        assert re.search(r"queues: work \d+, notifications \d+", lines)
        assert "workers: 1 (celery@" in lines
        assert figures.broker is not None and figures.broker.depths["work"] == 0
        assert "retried tasks: " in lines and "notifications.send_email" in lines

        server, thread = _serve_metrics(pg_database, settings)
        try:
            body = urllib.request.urlopen(
                f"http://127.0.0.1:{server.server_port}/metrics", timeout=30).read().decode()
        finally:
            server.shutdown()
            thread.join(10)
        assert "mqa_broker_up 1.0" in body
        assert 'mqa_queue_depth{queue="notifications"}' in body
        assert 'mqa_tasks_retried_total{task="notifications.send_email"}' in body
        assert 'mqa_email_deliveries{status="failed"} 0.0' in body
        assert 'mqa_tasks_failed_total{task="scoring.consolidate"} 0.0' in body
        assert re.search(r'mqa_task_duration_seconds_count\{state="SUCCESS",'
                         r'task="deadlines.scan"\} 1\.0', body)
        assert re.search(r'mqa_task_duration_seconds_count\{state="RETRY",'
                         r'task="notifications.send_email"\} [1-9]', body)
    finally:
        stop(worker)


def _retried(settings: Settings) -> int:
    figures = broker_figures(settings, inspect_timeout=0.2)
    return sum(figures.retried.values()) if figures else 0


def _serve_metrics(database: Database, settings: Settings) -> tuple[Any, Any]:
    return start_http_server(0, "127.0.0.1", registry=registry_for(database, settings))
