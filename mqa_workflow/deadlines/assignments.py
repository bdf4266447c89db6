"""Assignment notices: each reviewer hears of each new assignment once, with its deadline
when the cycle has set one, and without it (the deadline to follow) when not."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.config import get_settings
from mqa_workflow.notifications.service import application_context, notify_once, sent_keys
from mqa_workflow.reviews.models import AssignmentStatus, ReviewAssignment


def notify_new_assignments(session: Session, application_id: int | None = None) -> int:
    """Tell each reviewer of each new assignment, once (key ``assignment:ID``)."""
    query = select(ReviewAssignment).where(
        ReviewAssignment.status == AssignmentStatus.ASSIGNED.value)
    if application_id is not None:
        query = query.where(ReviewAssignment.application_id == application_id)
    assignments = list(session.scalars(query.order_by(ReviewAssignment.id)))
    done = sent_keys(session, [f"assignment:{a.id}" for a in assignments])
    sent = 0
    for assignment in assignments:
        key = f"assignment:{assignment.id}"
        if key not in done and _tell_assignment(session, assignment, key):
            sent += 1
    return sent


def _tell_assignment(session: Session, assignment: ReviewAssignment, key: str) -> bool:
    """A cycle that has not set the stage's deadline yet still tells the reviewer: the
    notice says the deadline is to follow (reminders begin once it is set)."""
    application = session.get(Application, assignment.application_id)
    if application is None or application.state != assignment.stage:
        return False  # the stage is over: nothing to tell
    context = application_context(application) | {
        "stage": assignment.stage, "is_leader": assignment.is_leader,
        "due_at": assignment.due_at,
        # The task's page: the no-conflict statement, and declaring a conflict or declining.
        "task_url": f"{get_settings().public_url.rstrip('/')}/assignments/{assignment.id}"}
    return notify_once(session, key, "assignment", [assignment.reviewer], context,
                       application.id, assignment.due_at)
