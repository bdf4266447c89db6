"""Every domain's tasks module, in one explicit list: importing them records their tasks in
the outbox registry, so whoever runs tasks (the Celery app, in-process dispatch) calls
:func:`collect` first."""

from __future__ import annotations

from mqa_workflow.outbox import registry


def collect() -> dict[str, registry.TaskFunction]:
    """Import every domain's tasks; the outbox tasks by name (the periodic ones are in
    ``registry.periodic_tasks()``)."""
    # Imported here, not at the top: ``mqa_workflow.worker`` stays cheap to import for the
    # drainer and the broker figures, and these pull in every domain service.
    import mqa_workflow.audit.tasks
    import mqa_workflow.deadlines.tasks
    import mqa_workflow.notifications.tasks
    import mqa_workflow.reports.tasks
    import mqa_workflow.reviews.tasks
    import mqa_workflow.scoring.tasks  # noqa: F401

    return registry.tasks()
