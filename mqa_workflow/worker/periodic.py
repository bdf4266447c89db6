"""The beat schedule, built from the periodic tasks the domains declare
(``@periodic(name, every=...)`` in their ``tasks.py``): today the deadline scan and the
e-mail sweep.

They are plain Celery tasks, not outbox tasks: each run is itself safe to repeat (the
scan's notice keys, the sweep's row claims), so two beats or a redelivered tick do no harm.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from mqa_workflow.config import Settings
from mqa_workflow.db import get_database
from mqa_workflow.outbox.registry import Periodic, periodic_tasks
from mqa_workflow.worker.collect import collect


def bind_periodic(app: Celery, settings: Settings) -> None:
    collect()
    schedule: dict[str, dict[str, Any]] = {}
    for name, declared in sorted(periodic_tasks().items()):
        _bind(app, declared)
        # The entry's key is only the beat's label; the task name says what runs.
        schedule[name] = {"task": name, "schedule": declared.interval(settings)}
    app.conf.beat_schedule = schedule


def _bind(app: Celery, declared: Periodic) -> None:
    @app.task(name=declared.name)
    def run() -> dict[str, Any]:
        return declared.function(get_database())
