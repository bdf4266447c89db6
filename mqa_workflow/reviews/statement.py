"""The no-conflict statement (回避承诺) and a reviewer's access to an application.

A reviewer sees an application's task when assigned and not conflicted, and opens its
materials only after confirming the statement for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import Session, aliased, contains_eager

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.errors import ConflictError, NotFoundError
from mqa_workflow.reviews.models import (
    ACTIVE,
    ConflictOfInterest,
    NoConflictStatement,
    ReviewAssignment,
)
from mqa_workflow.translations.message import refusal


def no_conflict_statement(application: Application) -> str:
    """The statement a reviewer confirms for one application, Chinese first."""
    org = application.organization
    return (
        f"本人承诺：本人与申报单位{org.name}（统一社会信用代码 {org.uscc}）及其上级、下属单位"
        "之间不存在任职（含近三年内任职）、亲属或其他利害关系、咨询或辅导服务、持股、同业竞争"
        "等可能影响公正评审的利益冲突；评审中如发现，立即申报回避；对申报材料保密。"
        f"\nI declare that I have no conflict of interest with {org.name} ({org.uscc}) or its "
        "parent or subsidiaries — no employment within the window, relationship, consulting "
        "or coaching, shareholding or competing business — that could affect a fair review; "
        "I will declare one at once if it arises, and keep the materials confidential."
    )


def statement_of(session: Session, user_id: int, application_id: int
                 ) -> NoConflictStatement | None:
    return session.scalar(select(NoConflictStatement).where(
        NoConflictStatement.user_id == user_id,
        NoConflictStatement.application_id == application_id))


def confirm_no_conflict(session: Session, user: User, application_id: int
                        ) -> NoConflictStatement:
    """The reviewer confirms the no-conflict statement for one application (stored with
    its exact text, audited; confirming again changes nothing)."""
    application = _assigned_and_free(session, user, application_id)
    existing = statement_of(session, user.id, application_id)
    if existing is not None:
        return existing
    confirmed = NoConflictStatement(user_id=user.id, application_id=application_id,
                                    statement=no_conflict_statement(application))
    session.add(confirmed)
    audit.append(session, actor=user.email, trigger="confirm_no_conflict",
                 application_id=application_id, reason="回避承诺已确认",
                 data={"person": user.id})
    session.flush()
    return confirmed


# --- access: assigned, not conflicted, statement confirmed ---------------------------------


class StatementMissingError(ConflictError):
    """The reviewer has not yet confirmed the no-conflict statement for the application."""


@dataclass(frozen=True)
class Standing:
    """What decides a reviewer's access to one application, read in the same query as
    the rows asked for (every reviewer request checks it, so it costs no round trip
    of its own)."""

    conflicted: bool
    assigned: bool
    confirmed: bool


def _standing_columns(user_id: int, application_id: ColumnElement[int]
                      ) -> tuple[Exists, Exists, Exists]:
    """Correlated EXISTS for :class:`Standing`: conflicted, assigned (active), confirmed."""
    other = aliased(ReviewAssignment)  # the query may select an assignment itself
    return (
        exists().where(ConflictOfInterest.user_id == user_id,
                       ConflictOfInterest.application_id == application_id),
        exists().where(other.application_id == application_id, other.reviewer_id == user_id,
                       other.status.in_(ACTIVE)),
        exists().where(NoConflictStatement.user_id == user_id,
                       NoConflictStatement.application_id == application_id),
    )


def check_standing(user: User, application_id: int, standing: Standing, *,
                   opening: bool) -> None:
    """Refuse (ConflictError) a reviewer who is conflicted or not assigned; when
    ``opening`` the materials, also one who has not confirmed the statement."""
    if standing.conflicted:
        raise ConflictError(refusal(
            "%(name)s has a conflict of interest with application %(application)s and may "
            "not open its materials", name=user.name, application=application_id))
    if not standing.assigned:
        raise ConflictError(refusal("%(name)s is not assigned to application %(application)s",
                                    name=user.name, application=application_id))
    if opening and not standing.confirmed:
        raise StatementMissingError(refusal(
            "%(name)s has not confirmed the no-conflict statement (回避承诺) for application "
            "%(application)s; confirm it first (`mqa review confirm %(application)s` or the "
            "score sheet page)", name=user.name, application=application_id))


def _application_standing(session: Session, user: User, application_id: int
                          ) -> tuple[Application, Standing]:
    found = session.execute(
        select(Application, *_standing_columns(user.id, Application.id))
        .where(Application.id == application_id)
    ).one_or_none()
    if found is None:
        raise NotFoundError(refusal("no application %(application)s",
                                    application=application_id))
    application, *flags = found
    return application, Standing(*map(bool, flags))


def _assigned_and_free(session: Session, user: User, application_id: int) -> Application:
    """The application, if ``user`` is on one of its teams and not conflicted with it."""
    application, standing = _application_standing(session, user, application_id)
    check_standing(user, application_id, standing, opening=False)
    return application


def may_review(session: Session, user: User, application_id: int) -> Application:
    """Assigned and not conflicted: the reviewer may see the task and the statement."""
    return _assigned_and_free(session, user, application_id)


def open_application(session: Session, user: User, application_id: int) -> Application:
    """A reviewer opens an application's materials: only when assigned, not conflicted,
    and after confirming the no-conflict statement (回避承诺) for it."""
    application, standing = _application_standing(session, user, application_id)
    check_standing(user, application_id, standing, opening=True)
    return application


def assignment_with_standing(session: Session, user: User, assignment_id: int
                             ) -> tuple[ReviewAssignment, Standing] | None:
    """An assignment and ``user``'s standing on its application, from one query.

    The application and its cycle come in the same query, held by the assignment
    (the session keeps loaded rows only while something refers to them), so what a
    score sheet needs next (the class's standard, the cycle's percentage step) costs
    no further round trip.
    """
    found = session.execute(
        select(ReviewAssignment, *_standing_columns(user.id, ReviewAssignment.application_id))
        .join(ReviewAssignment.application).join(Application.cycle)
        .options(contains_eager(ReviewAssignment.application).contains_eager(Application.cycle))
        .where(ReviewAssignment.id == assignment_id)
    ).one_or_none()
    if found is None:
        return None
    assignment, *flags = found
    return assignment, Standing(*map(bool, flags))
