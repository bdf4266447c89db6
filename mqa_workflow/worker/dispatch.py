"""Hand the outbox's pending work to whoever runs tasks: this process or Celery."""

from __future__ import annotations

from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import Database
from mqa_workflow.outbox.registry import execute_message
from mqa_workflow.outbox.service import RelayRun, relay_pending, run_in_process
from mqa_workflow.worker.collect import collect


def dispatch_pending(database: Database, settings: Settings | None = None) -> RelayRun:
    settings = settings or get_settings()
    if settings.tasks_in_process:
        collect()  # the tasks run here: every domain's must be registered first
        return run_in_process(database, execute_message)
    from mqa_workflow.worker.celery_app import app_for, sender

    return relay_pending(database, sender(app_for(settings)))
