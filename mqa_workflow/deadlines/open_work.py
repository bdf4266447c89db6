"""Open work with a deadline, found in the database where each piece of work lives.

Nothing is scheduled ahead: the periodic scan asks these functions what is
open now. A due date comes from the cycle's rules: the correction period set
when the application was returned, the review stage deadlines for review score
sheets, consensus sheets and the site-visit report, and the committee deadline
for each member's vote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.committee.models import CommitteeVote
from mqa_workflow.committee.service import committee_members, recused_member_ids
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.notifications.service import contacts
from mqa_workflow.reviews.models import (
    AssignmentStatus,
    ConsensusSheet,
    ReviewAssignment,
    ReviewStage,
    SiteVisit,
)

ACTIVE = (AssignmentStatus.ASSIGNED.value, AssignmentStatus.SUBMITTED.value)
KINDS = ("correction", "review", "consensus", "site_visit_report", "committee_vote")


@dataclass(frozen=True)
class Work:
    kind: str
    ref: str  # stable identity of the piece of work, part of its notice keys
    application: Application
    responsible: tuple[User, ...]
    due_at: datetime


def open_work(session: Session, cycle_id: int | None = None) -> list[Work]:
    """Every open piece of work with a due date and someone responsible, by due date."""
    found = [*_corrections(session), *_reviews(session), *_consensus(session),
             *_site_visit_reports(session), *_committee_votes(session)]
    if cycle_id is not None:
        found = [work for work in found if work.application.cycle_id == cycle_id]
    return sorted((work for work in found if work.responsible),
                  key=lambda work: (work.due_at, work.ref))


def _in_state(session: Session, *states: ApplicationState) -> list[Application]:
    return list(session.scalars(select(Application).where(Application.state.in_(states))
                                .order_by(Application.id)))


def _corrections(session: Session) -> Iterator[Work]:
    for application in _in_state(session, ApplicationState.RETURNED_FOR_CORRECTION):
        if application.correction_due_at:
            yield Work("correction", f"correction:{application.id}", application,
                       tuple(contacts(session, application)), application.correction_due_at)


def _reviews(session: Session) -> Iterator[Work]:
    rows = session.execute(
        select(ReviewAssignment, Application).join(Application).where(
            ReviewAssignment.status == AssignmentStatus.ASSIGNED.value,
            ReviewAssignment.due_at.is_not(None),
            Application.state == ReviewAssignment.stage,  # the stage is still running
        ).order_by(ReviewAssignment.id))
    for assignment, application in rows:
        if assignment.due_at:
            yield Work("review", f"review:{assignment.id}", application,
                       (assignment.reviewer,), assignment.due_at)


def _leader(session: Session, application: Application, stage: str) -> tuple[User, ...]:
    leader = session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id, ReviewAssignment.stage == stage,
        ReviewAssignment.is_leader.is_(True), ReviewAssignment.status.in_(ACTIVE)))
    return (leader.reviewer,) if leader else ()


def _consensus(session: Session) -> Iterator[Work]:
    stages = [stage.value for stage in ReviewStage]
    for application in _in_state(session, *stages):
        stage, due = application.state, stage_due_at(application.cycle, application.state)
        recorded = session.scalar(select(ConsensusSheet.id).where(
            ConsensusSheet.application_id == application.id, ConsensusSheet.stage == stage))
        if due and recorded is None:
            yield Work("consensus", f"consensus:{application.id}:{stage}", application,
                       _leader(session, application, stage), due)


def _site_visit_reports(session: Session) -> Iterator[Work]:
    for application in _in_state(session, ReviewStage.SITE_VISIT.value):
        due = stage_due_at(application.cycle, ReviewStage.SITE_VISIT.value)
        visit = session.get(SiteVisit, application.id)
        if due and (visit is None or visit.reported_at is None):
            yield Work("site_visit_report", f"site_visit_report:{application.id}", application,
                       _leader(session, application, ReviewStage.SITE_VISIT.value), due)


def _committee_votes(session: Session) -> Iterator[Work]:
    members = committee_members(session)
    for application in _in_state(session, ApplicationState.COMMITTEE_DECISION):
        due = stage_due_at(application.cycle, ApplicationState.COMMITTEE_DECISION)
        if due is None:
            continue
        voted = set(session.scalars(select(CommitteeVote.member_id).where(
            CommitteeVote.application_id == application.id)))
        excused = voted | recused_member_ids(session, application.id)
        for member in members:
            if member.id not in excused:
                yield Work("committee_vote", f"committee_vote:{application.id}:{member.id}",
                           application, (member,), due)
