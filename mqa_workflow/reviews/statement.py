"""The no-conflict statement (回避承诺) and a reviewer's access to an application.

A reviewer sees an application's task when assigned and not conflicted, and opens its
materials only after confirming the statement for it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.errors import ConflictError, NotFoundError
from mqa_workflow.reviews.conflict_checks import is_conflicted
from mqa_workflow.reviews.models import ACTIVE, NoConflictStatement, ReviewAssignment


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
                 application_id=application_id, reason="回避承诺 confirmed",
                 data={"person": user.id})
    session.flush()
    return confirmed


# --- access: assigned, not conflicted, statement confirmed ---------------------------------


class StatementMissingError(ConflictError):
    """The reviewer has not yet confirmed the no-conflict statement for the application."""


def _assigned_and_free(session: Session, user: User, application_id: int) -> Application:
    """The application, if ``user`` is on one of its teams and not conflicted with it."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    if is_conflicted(session, user.id, application_id):
        raise ConflictError(
            f"{user.name} has a conflict of interest with application "
            f"{application_id} and may not open its materials"
        )
    assigned = session.scalar(
        select(func.count())
        .select_from(ReviewAssignment)
        .where(
            ReviewAssignment.application_id == application_id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status.in_(ACTIVE),
        )
    )
    if not assigned:
        raise ConflictError(f"{user.name} is not assigned to application {application_id}")
    return application


def may_review(session: Session, user: User, application_id: int) -> Application:
    """Assigned and not conflicted: the reviewer may see the task and the statement."""
    return _assigned_and_free(session, user, application_id)


def open_application(session: Session, user: User, application_id: int) -> Application:
    """A reviewer opens an application's materials: only when assigned, not conflicted,
    and after confirming the no-conflict statement (回避承诺) for it."""
    application = _assigned_and_free(session, user, application_id)
    if statement_of(session, user.id, application_id) is None:
        raise StatementMissingError(
            f"{user.name} has not confirmed the no-conflict statement (回避承诺) for "
            f"application {application_id}; confirm it first "
            f"(`mqa review confirm {application_id}` or the score sheet page)"
        )
    return application
