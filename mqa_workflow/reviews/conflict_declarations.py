"""A person's own declaration of a conflict of interest (回避申报)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TransitionRefusedError,
)
from mqa_workflow.reviews import conflicts as coi
from mqa_workflow.reviews.assignment import AssignmentResult
from mqa_workflow.reviews.assignment_service import replace_withdrawn
from mqa_workflow.reviews.conflict_checks import withdraw
from mqa_workflow.reviews.models import ConflictOfInterest
from mqa_workflow.translations.message import refusal


def declare_conflict(session: Session, user: User, application_id: int,
                     reason: str) -> AssignmentResult | None:
    """A person's own declaration of a conflict (回避申报) with an application: stored
    with its reason and time, audited, the person withdrawn from every team of the
    application and replaced at once (or the application listed as uncovered).

    A committee member declares the same way and is recused from the vote."""
    if not (user.has_role(Role.REVIEWER) or user.has_role(Role.COMMITTEE_MEMBER)):
        raise TransitionRefusedError(refusal(
            "%(email)s neither reviews nor votes, so has no conflict to declare",
            email=user.email))
    reason = reason.strip()
    if not reason:
        raise InvalidInputError(refusal("a conflict declaration needs its reason"))
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(refusal("no application %(application)s",
                                    application=application_id))
    already = session.scalar(select(ConflictOfInterest.id).where(
        ConflictOfInterest.user_id == user.id, ConflictOfInterest.application_id == application_id,
        ConflictOfInterest.rule == coi.RULE_SELF_DECLARED))
    if already is not None:
        raise ConflictError(refusal("%(name)s has already declared a conflict with "
                                    "application %(application)s", name=user.name,
                                    application=application_id))
    session.add(ConflictOfInterest(user_id=user.id, application_id=application_id,
                                   rule=coi.RULE_SELF_DECLARED, reason=reason))
    audit.append(session, actor=user.email, trigger="declare_conflict",
                 application_id=application_id, reason=reason,
                 data={"person": user.id, "rule": coi.RULE_SELF_DECLARED})
    withdraw(session, user.id, application, f"declared a conflict of interest: {reason}")
    return replace_withdrawn(session, application, actor=user.email)
