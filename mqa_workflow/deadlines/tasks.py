"""The deadlines domain's background tasks: one-liners over its services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.db import Database
from mqa_workflow.deadlines.assignments import notify_new_assignments, notify_new_assignments_of
from mqa_workflow.deadlines.service import scan
from mqa_workflow.outbox.registry import batch_of, periodic, task

NOTIFY_ASSIGNMENTS = "deadlines.notify_assignments"
SCAN = "deadlines.scan"


@task(NOTIFY_ASSIGNMENTS)
def notify_assignments(session: Session, application_id: int, **_: object) -> None:
    """Run right after an assignment task so reviewers hear at once (the scan catches up
    on any it misses)."""
    notify_new_assignments(session, application_id)


@batch_of(NOTIFY_ASSIGNMENTS)
def notify_assignments_of(session: Session, payloads: list[dict[str, Any]]) -> None:
    """A batch of transitions' new teams told together (the relay sends their rows as one
    message): the assignments and applications read once for all of them."""
    notify_new_assignments_of(session, sorted({p["application_id"] for p in payloads}))


# Deadlines are never parked in the broker as far-future ETA tasks: the scan finds them in
# the database each time, and its notice keys make a repeated run harmless.
@periodic(SCAN, every=lambda settings: settings.scan_interval_seconds)
def scan_deadlines(database: Database) -> dict[str, Any]:
    with database.session() as session:
        result = scan(session)
    return {"sent": result.sent, "already_sent": result.already_sent,
            "nobody_to_tell": result.nobody_to_tell}
