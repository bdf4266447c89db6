"""The periodic tasks Celery beat runs: the deadline scan and the e-mail sweep.

They are plain Celery tasks, not outbox tasks: each run is itself safe to
repeat (the scan's notice keys, the sweep's row claims), so two beats or a
redelivered tick do no harm. Deadlines are never parked in the broker as
far-future ETA tasks: the scan finds them in the database each time.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from mqa_workflow.config import Settings
from mqa_workflow.db import get_database

SCAN = "deadlines.scan"
DELIVER = "notifications.deliver_due"


def bind_periodic(app: Celery, settings: Settings) -> None:
    @app.task(name=SCAN)
    def scan_deadlines() -> dict[str, Any]:
        from mqa_workflow.deadlines.service import scan

        with get_database().session() as session:
            result = scan(session)
        return {"sent": result.sent, "already_sent": result.already_sent,
                "nobody_to_tell": result.nobody_to_tell}

    @app.task(name=DELIVER)
    def deliver_emails() -> dict[str, Any]:
        from mqa_workflow.notifications.delivery import deliver_due, raise_if_unsent

        run = deliver_due(get_database())  # each e-mail committed on its own
        raise_if_unsent(run)  # the sweep is reported failed when an e-mail was not sent
        return {"sent": run.sent, "retrying": run.retrying, "failed": run.failed}

    app.conf.beat_schedule = {
        "scan-deadlines": {"task": SCAN, "schedule": settings.scan_interval_seconds},
        "deliver-emails": {"task": DELIVER, "schedule": 60.0},
    }
