"""Who may see or change what: the one set of rules the web and the command line both call.

Roles alone are not enough: an applicant contact sees only their organization's
applications, a reviewer only what they are assigned to, never what they are
conflicted with, and only after confirming its no-conflict statement
(``reviews.statement.open_application`` decides), and a committee member only what
has reached the committee, unless recused.

An applicant asking for someone else's application gets "not found", so
application ids reveal nothing about other organizations; a reviewer gets a
refusal with the reason. A refusal is a :class:`ForbiddenError`: 403 on the web,
exit code 6 on the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import get_user, require_role
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import get_application
from mqa_workflow.committee.service import recusal_reason
from mqa_workflow.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from mqa_workflow.reports.service import NO_FEEDBACK_STATES
from mqa_workflow.reviews.models import ACTIVE, AssignmentStatus, ReviewAssignment
from mqa_workflow.reviews.sheets import sheet_progress
from mqa_workflow.reviews.statement import (
    assignment_with_standing,
    check_standing,
    may_review,
    open_application,
)
from mqa_workflow.states.table import COMMITTEE_STATES

# --- who is acting -----------------------------------------------------------------------


def acting_user(session: Session, actor: str) -> User:
    """The known person behind ``--as``/``MQA_ACTOR``; anyone else may not write."""
    try:
        return get_user(session, actor)
    except NotFoundError:
        raise ForbiddenError(f"{actor!r} is not a known user: only a registered person may "
                             "change anything (`mqa user add`, by an administrator)") from None


def may_add_people(session: Session, actor: str | None, roles: Sequence[Role]) -> None:
    """An administrator adds people. On an empty system nobody can act yet: the first
    person is added without an actor and must be an administrator (how it starts)."""
    if session.scalar(select(User.id).limit(1)) is None:
        if Role.ADMINISTRATOR not in roles:
            raise ForbiddenError("the first person must be an administrator "
                                 "(--role administrator)")
        return
    if not actor:  # as every writing command: nobody named is malformed input (exit 2)
        raise InvalidInputError("say who is acting: --as EMAIL, or set MQA_ACTOR")
    require_role(acting_user(session, actor), Role.ADMINISTRATOR, doing="add people")


def may_read_inbox(user: User, person: User) -> None:
    """Your own inbox (the web shows nothing else); the office may look into anyone's."""
    if user.id != person.id and not (is_admin(user) or user.has_role(Role.OPERATOR)):
        raise ForbiddenError(f"{user.email} may read only their own inbox")


# --- applications ------------------------------------------------------------------------


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
    raise ForbiddenError(reason or f"{user.email} may not see application {application_id}")


def readable(session: Session, user: User, application_id: int) -> Application:
    """The application if ``user`` may read it in some capacity; else not found or refused."""
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


def applying_for(user: User, organization_id: int | None) -> int:
    """Which organization ``user`` may open an application for (administrators: any named
    one; an applicant contact: only their own); reviewers and the rest may not."""
    if is_admin(user):
        if organization_id is None:
            raise InvalidInputError("name the organization the application is for")
        return organization_id
    if user.has_role(Role.APPLICANT_CONTACT) and user.organization_id is not None:
        if organization_id not in (None, user.organization_id):
            raise ForbiddenError("an applicant contact applies only for their own organization")
        return user.organization_id
    raise ForbiddenError(f"{user.email} may not open applications")


def full_materials(session: Session, user: User, application: Application) -> bool:
    """Whether ``user`` sees the answers and documents, not just the results."""
    if is_admin(user) or owns(user, application):
        return True
    return user.has_role(Role.REVIEWER) and session.scalar(
        select(ReviewAssignment.id).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status.in_(ACTIVE)).limit(1)) is not None


# --- review teams ------------------------------------------------------------------------


def own_assignment(session: Session, user: User, assignment_id: int) -> ReviewAssignment:
    """A reviewer's own assignment (administrators may read any); a conflict closes it.

    One query reads the assignment, its application and cycle, and the reviewer's
    standing on it: this is the check before every score-sheet save.
    """
    found = assignment_with_standing(session, user, assignment_id)
    if found is None:
        raise NotFoundError(f"no assignment {assignment_id}")
    assignment, standing = found
    if assignment.reviewer_id != user.id and not is_admin(user):
        raise ForbiddenError(f"assignment {assignment_id} belongs to another reviewer")
    if assignment.reviewer_id == user.id:
        try:  # the same rule as opening the materials: conflicted or withdrawn → closed
            check_standing(user, assignment.application_id, standing, opening=True)
        except ConflictError as refused:
            raise ForbiddenError(refused.message) from None
    return assignment


def reviewer_task(session: Session, user: User, assignment_id: int) -> ReviewAssignment:
    """A reviewer's own assignment they may act on before opening the materials (confirm
    the no-conflict statement, declare a conflict, decline): assigned, not conflicted."""
    assignment = session.get(ReviewAssignment, assignment_id)
    if assignment is None:
        raise NotFoundError(f"no assignment {assignment_id}")
    if assignment.reviewer_id != user.id:
        raise ForbiddenError(f"assignment {assignment_id} belongs to another reviewer")
    try:
        may_review(session, user, assignment.application_id)
    except ConflictError as refused:
        raise ForbiddenError(refused.message) from None
    return assignment


def team_place(session: Session, user: User, application_id: int, stage: str
               ) -> tuple[Application, ReviewAssignment | None]:
    """The application and ``user``'s place on the stage's team (None for
    administrators); anyone else is refused. The team's progress (k of n) needs no
    no-conflict statement: it shows nothing of the application, and a reviewer's own
    submitted sheet, which unlocks the percentages, already required one."""
    if is_admin(user):
        return readable(session, user, application_id), None
    if not user.has_role(Role.REVIEWER):
        application = readable(session, user, application_id)
    else:
        try:
            application = may_review(session, user, application_id)
        except ConflictError as refused:
            raise ForbiddenError(refused.message) from None
    place = session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application_id,
        ReviewAssignment.reviewer_id == user.id, ReviewAssignment.stage == stage))
    if place is None:
        raise ForbiddenError(f"{user.email} is not on the {stage} team of application "
                             f"{application_id}")
    return application, place


def sees_team_percentages(user: User, place: ReviewAssignment | None) -> bool:
    """Independent scoring: a reviewer sees the teammates' percentages only once their
    own sheet is in (``place`` from :func:`team_place`), so nobody anchors on the others;
    administrators always do."""
    return is_admin(user) or (place is not None
                              and place.status == AssignmentStatus.SUBMITTED.value)


def team_progress(session: Session, application_id: int, stage: str) -> tuple[int, int]:
    """(k, n): k of the team's n score sheets are submitted (已提交 k / n)."""
    return sheet_progress(session, application_id, stage)


# --- results and history, for the applicant ---------------------------------------------


def results_released(application: Application) -> bool:
    return application.cycle.results_released_at is not None


def sees_results(user: User, application: Application) -> bool:
    """Scores, ranks and the feedback report: the office always; the applicant's own
    contacts once the office has released the cycle's results; nobody else here."""
    if is_admin(user):
        return True
    return owns(user, application) and results_released(application)


def refuse_unless_released(user: User, application: Application) -> None:
    if not sees_results(user, application):
        if not owns(user, application):
            raise ForbiddenError(f"{user.email} may not read the results of application "
                                 f"{application.id}")
        raise ForbiddenError(
            f"评审结果尚未发布 — the results of {application.cycle.name} are not released "
            "yet: scores, ranks and the feedback report are shown once the award office "
            "releases them")


def feedback_readable(session: Session, user: User, application_id: int) -> Application:
    """The application whose feedback report (page, PDF, command) ``user`` may read: the
    office any time, the applicant's own contacts once the results are released, nobody
    else; and only once a review took place."""
    application = editable(session, user, application_id)
    refuse_unless_released(user, application)
    if application.state in NO_FEEDBACK_STATES:
        raise ConflictError(f"application {application_id} is {application.state}; "
                            "feedback comes after document review")
    return application
