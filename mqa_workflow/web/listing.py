"""The lists each person sees: queries narrowed by role and relation (read-only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.committee.service import decision_of
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.reviews.models import (
    ACTIVE,
    ConflictOfInterest,
    NoConflictStatement,
    ReviewAssignment,
    ScoreSheet,
)
from mqa_workflow.scoring.ranking import cycle_rankings
from mqa_workflow.web.access import COMMITTEE_STATES


def _visibility(user: User) -> ColumnElement[bool]:
    if user.has_role(Role.ADMINISTRATOR):
        return Application.id.is_not(None)
    conflicted = select(ConflictOfInterest.application_id).where(
        ConflictOfInterest.user_id == user.id)
    seen: list[ColumnElement[bool]] = []
    if user.has_role(Role.APPLICANT_CONTACT) and user.organization_id is not None:
        seen.append(Application.organization_id == user.organization_id)
    if user.has_role(Role.REVIEWER):
        assigned = select(ReviewAssignment.application_id).where(
            ReviewAssignment.reviewer_id == user.id, ReviewAssignment.status.in_(ACTIVE))
        # The materials open only after the no-conflict statement (the task list shows the
        # assignments waiting for it).
        confirmed = select(NoConflictStatement.application_id).where(
            NoConflictStatement.user_id == user.id)
        seen.append(Application.id.in_(assigned) & Application.id.in_(confirmed)
                    & Application.id.not_in(conflicted))
    if user.has_role(Role.COMMITTEE_MEMBER):
        seen.append(Application.state.in_(COMMITTEE_STATES)
                    & Application.id.not_in(conflicted))
    return or_(*seen) if seen else false()


def visible_applications(session: Session, user: User, *, cycle_id: int | None = None,
                         award_class: str | None = None, state: str | None = None,
                         limit: int = 500) -> list[Application]:
    query = select(Application).where(_visibility(user)).order_by(Application.id)
    if cycle_id is not None:
        query = query.where(Application.cycle_id == cycle_id)
    if award_class:
        query = query.where(Application.award_class == award_class)
    if state:
        known = ApplicationState.named(state)
        query = query.where(Application.state == known if known else false())
    return list(session.scalars(query.limit(limit)))


def assignments_of(session: Session, *, reviewer_id: int | None = None,
                   application_id: int | None = None, stage: str | None = None
                   ) -> list[ReviewAssignment]:
    query = select(ReviewAssignment).order_by(ReviewAssignment.due_at, ReviewAssignment.id)
    if reviewer_id is not None:
        query = query.where(ReviewAssignment.reviewer_id == reviewer_id)
    if application_id is not None:
        query = query.where(ReviewAssignment.application_id == application_id)
    if stage:
        query = query.where(ReviewAssignment.stage == stage)
    return list(session.scalars(query))


def sheet_of(session: Session, assignment: ReviewAssignment) -> ScoreSheet | None:
    return session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))


def results_by_class(session: Session, cycle_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each class's ranking (the one in scoring/ranking.py) with the committee's decision:
    frozen once taken, the live tally while the committee decides."""
    cycle = session.get(AwardCycle, cycle_id)
    if cycle is None:
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    for award_class, entries in cycle_rankings(session, cycle.id, list(cycle.classes)).items():
        found[award_class] = [{
            "application": entry.application, "score": entry.score,
            "position": entry.position, "shortlisted": entry.shortlisted,
            "document_review_total": entry.document_review_total,
            "tally": decision_of(session, entry.application),
        } for entry in entries]
    return found
