"""Authorization by relation: who may see or change which application.

Roles alone are not enough: an applicant contact sees only their organization's
applications, a reviewer only what they are assigned to, never what they are
conflicted with, and only after confirming its no-conflict statement
(``reviews.service.open_application`` decides), and a committee
member only what has reached the committee, unless recused.

An applicant asking for someone else's application gets 404, so application ids
reveal nothing about other organizations; a reviewer gets 403 with the reason.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import get_application
from mqa_workflow.committee.service import recusal_reason
from mqa_workflow.errors import ConflictError, NotFoundError
from mqa_workflow.reviews.models import ReviewAssignment
from mqa_workflow.reviews.service import ACTIVE, may_review, open_application
from mqa_workflow.web.errors import Forbidden

COMMITTEE_STATES = frozenset({"committee_decision", "public_notice", "awarded_grand",
                              "awarded_encouragement", "not_awarded"})


def owns(user: User, application: Application) -> bool:
    return (user.has_role(Role.APPLICANT_CONTACT)
            and user.organization_id == application.organization_id)


def is_admin(user: User) -> bool:
    return user.has_role(Role.ADMINISTRATOR)


def committee_may_see(session: Session, user: User, application: Application) -> bool:
    return (user.has_role(Role.COMMITTEE_MEMBER) and application.state in COMMITTEE_STATES
            and recusal_reason(session, user, application) is None)


def _refuse(user: User, application_id: int, reason: str) -> None:
    if user.has_role(Role.APPLICANT_CONTACT) and not reason:
        raise NotFoundError(f"no application {application_id}")
    raise Forbidden(reason or f"{user.email} may not see application {application_id}")


def readable(session: Session, user: User, application_id: int) -> Application:
    """The application if ``user`` may read it in some capacity; else 404 or 403."""
    application = get_application(session, application_id)
    if is_admin(user) or owns(user, application):
        return application
    if committee_may_see(session, user, application):
        return application
    reason = ""
    if user.has_role(Role.COMMITTEE_MEMBER) and application.state in COMMITTEE_STATES:
        reason = recusal_reason(session, user, application) or ""
    if user.has_role(Role.REVIEWER):
        try:
            return open_application(session, user, application_id)
        except ConflictError as refused:
            reason = refused.message
    _refuse(user, application_id, reason)
    raise AssertionError("unreachable")


def editable(session: Session, user: User, application_id: int) -> Application:
    """Answers and documents: the applicant's own contacts and administrators."""
    application = get_application(session, application_id)
    if is_admin(user) or owns(user, application):
        return application
    _refuse(user, application_id, "" if user.has_role(Role.APPLICANT_CONTACT) else
            f"{user.email} may not change application {application_id}")
    raise AssertionError("unreachable")


def full_materials(session: Session, user: User, application: Application) -> bool:
    """Whether ``user`` sees the answers and documents, not just the results."""
    if is_admin(user) or owns(user, application):
        return True
    return user.has_role(Role.REVIEWER) and session.scalar(
        select(ReviewAssignment.id).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status.in_(ACTIVE)).limit(1)) is not None


def own_assignment(session: Session, user: User, assignment_id: int) -> ReviewAssignment:
    """A reviewer's own assignment (administrators may read any); a conflict closes it."""
    assignment = session.get(ReviewAssignment, assignment_id)
    if assignment is None:
        raise NotFoundError(f"no assignment {assignment_id}")
    if assignment.reviewer_id != user.id and not is_admin(user):
        raise Forbidden(f"assignment {assignment_id} belongs to another reviewer")
    if assignment.reviewer_id == user.id:
        try:  # the same rule as opening the materials: conflicted or withdrawn → closed
            open_application(session, user, assignment.application_id)
        except ConflictError as refused:
            raise Forbidden(refused.message) from None
    return assignment


def reviewer_task(session: Session, user: User, assignment_id: int) -> ReviewAssignment:
    """A reviewer's own assignment they may act on before opening the materials (confirm
    the no-conflict statement, declare a conflict, decline): assigned, not conflicted."""
    assignment = session.get(ReviewAssignment, assignment_id)
    if assignment is None:
        raise NotFoundError(f"no assignment {assignment_id}")
    if assignment.reviewer_id != user.id:
        raise Forbidden(f"assignment {assignment_id} belongs to another reviewer")
    try:
        may_review(session, user, assignment.application_id)
    except ConflictError as refused:
        raise Forbidden(refused.message) from None
    return assignment
