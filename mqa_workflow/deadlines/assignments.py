"""Assignment notices: each reviewer hears of each new assignment once, with its deadline
when the cycle has set one, and without it (the deadline to follow) when not."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mqa_workflow.applications.models import Application
from mqa_workflow.config import get_settings
from mqa_workflow.notifications.service import application_context, notify_once, sent_keys
from mqa_workflow.reviews.models import AssignmentStatus, ReviewAssignment


def notify_new_assignments(session: Session, application_id: int | None = None) -> int:
    """Tell each reviewer of each new assignment, once (key ``assignment:ID``)."""
    return notify_new_assignments_of(
        session, None if application_id is None else [application_id])


def notify_new_assignments_of(session: Session, application_ids: Sequence[int] | None) -> int:
    """:func:`notify_new_assignments` for several applications (None: all) at once: their
    assignments with reviewer, and their applications with what the notice shows, read
    with one query each. How many reviewers were told."""
    query = select(ReviewAssignment).where(
        ReviewAssignment.status == AssignmentStatus.ASSIGNED.value
    ).options(joinedload(ReviewAssignment.reviewer))
    if application_ids is not None:
        query = query.where(ReviewAssignment.application_id.in_(list(application_ids)))
    assignments = list(session.scalars(query.order_by(ReviewAssignment.id)))
    done = sent_keys(session, [f"assignment:{a.id}" for a in assignments])
    fresh = [a for a in assignments if f"assignment:{a.id}" not in done]
    # Held here: the session keeps loaded rows only while something refers to them.
    applications = _load_applications(session, {a.application_id for a in fresh})
    told = sum(_tell_assignment(session, a, f"assignment:{a.id}") for a in fresh)
    del applications
    return told


def _load_applications(session: Session, ids: set[int]) -> list[Application]:
    """Into the session, so each notice finds its application there without a query."""
    ordered, loaded = sorted(ids), []
    for start in range(0, len(ordered), 500):
        loaded += session.scalars(select(Application).where(
            Application.id.in_(ordered[start:start + 500])).options(
            joinedload(Application.cycle), joinedload(Application.organization),
            joinedload(Application.project))).all()
    return loaded


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
