"""Score sheets and consensus sheets for many applications at once (the demo's teams).

The same rules as one at a time (:func:`~mqa_workflow.reviews.sheets.save_sheet` on
submission, :func:`~mqa_workflow.reviews.consensus.record_consensus`), checked for each
application, but read and written a batch at a time: one query for what the batch's checks
need, one INSERT for its sheets. Neither writes an audit record one at a time either (the
agreed feedback, which does, stays one at a time with its record).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import now
from mqa_workflow.errors import ConflictError
from mqa_workflow.reviews.consensus import Spreads, agreed_percentages, spreads_of
from mqa_workflow.reviews.models import (
    ACTIVE,
    AssignmentStatus,
    ConsensusSheet,
    ReviewAssignment,
    ReviewStage,
    ScoreSheet,
    SheetStatus,
)
from mqa_workflow.reviews.sheets import check_submission


@dataclass(frozen=True)
class Submission:
    """A reviewer's complete sheet, submitted at its first save."""

    assignment: ReviewAssignment
    percentages: Mapping[str, Any]
    comments: Mapping[str, Any]


def submit_sheets(session: Session, submissions: Sequence[Submission]) -> None:
    """Submit each sheet as :func:`save_sheet` submits one with no draft before it: each
    checked complete, all stored with one INSERT and their assignments marked submitted
    with one UPDATE. Refused whole if any is refused, or if an assignment already has a
    sheet (a draft or a submission: those are saved one at a time, over what is there)."""
    if not submissions:
        return
    assignments = [submission.assignment for submission in submissions]
    inactive = [a.id for a in assignments if a.status not in ACTIVE]
    if inactive:
        raise ConflictError(f"assignments {inactive} are no longer active")
    ids = [a.id for a in assignments]
    saved = sorted(session.scalars(select(ScoreSheet.assignment_id).where(
        ScoreSheet.assignment_id.in_(ids))))
    if saved:
        raise ConflictError(f"assignments {saved} already have a score sheet")
    applications = {a.id: a for a in session.scalars(select(Application).where(
        Application.id.in_({a.application_id for a in assignments})))}
    for submission in submissions:
        check_submission(applications[submission.assignment.application_id],
                         submission.percentages)
    at = now()
    session.execute(insert(ScoreSheet), [
        {"assignment_id": s.assignment.id, "percentages": dict(s.percentages),
         "comments": dict(s.comments), "status": SheetStatus.SUBMITTED, "version": 1,
         "submitted_at": at} for s in submissions])
    session.execute(update(ReviewAssignment).where(ReviewAssignment.id.in_(ids)).values(
        status=AssignmentStatus.SUBMITTED.value))  # the loaded assignments follow


def spreads_of_many(session: Session, applications: Sequence[Application],
                    stage: ReviewStage) -> dict[int, Spreads]:
    """:func:`~mqa_workflow.reviews.consensus.spreads` for each application, their
    submitted sheets read with one query."""
    sheets: dict[int, list[ScoreSheet]] = {a.id: [] for a in applications}
    for application_id, sheet in session.execute(
            select(ReviewAssignment.application_id, ScoreSheet).join(ReviewAssignment)
            .where(ReviewAssignment.application_id.in_(list(sheets)),
                   ReviewAssignment.stage == stage.value,
                   ReviewAssignment.status.in_(ACTIVE),  # a withdrawn reviewer no longer counts
                   ScoreSheet.status == SheetStatus.SUBMITTED)
            .order_by(ScoreSheet.id)).tuples():
        sheets[application_id].append(sheet)
    return {a.id: spreads_of(a, sheets[a.id]) for a in applications}


@dataclass(frozen=True)
class Consensus:
    """The leader's consensus for one application: decisions on the flagged items."""

    application: Application
    leader: User
    decisions: Mapping[str, tuple[int, str]]


def record_consensuses(session: Session, stage: ReviewStage, entries: Sequence[Consensus],
                       spreads: Mapping[int, Spreads]) -> dict[int, dict[str, int]]:
    """Record each consensus as :func:`record_consensus` does — by the team's active
    leader, who submitted their own sheet first, over the submitted sheets (``spreads``,
    from :func:`spreads_of_many`) — and store them with one INSERT. Returns each
    application's agreed percentages."""
    if not entries:
        return {}
    leaders = {(a.application_id, a.reviewer_id): a for a in session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id.in_([e.application.id for e in entries]),
            ReviewAssignment.stage == stage.value, ReviewAssignment.is_leader.is_(True),
            ReviewAssignment.status.in_(ACTIVE)))}
    rows = []
    for entry in entries:
        place = leaders.get((entry.application.id, entry.leader.id))
        if place is None:
            raise ConflictError(f"{entry.leader.name} does not lead the {stage.value} team "
                                f"of application {entry.application.id}")
        if place.status != AssignmentStatus.SUBMITTED.value:
            raise ConflictError(f"{entry.leader.name} must submit their own {stage.value} "
                                "score sheet before recording the consensus")
        percentages, flagged, total = agreed_percentages(
            entry.application, spreads[entry.application.id], entry.decisions)
        rows.append({"application_id": entry.application.id, "stage": stage.value,
                     "percentages": percentages, "flagged": flagged, "total": total,
                     "recorded_by": entry.leader.id})
    session.execute(insert(ConsensusSheet), rows)
    return {row["application_id"]: row["percentages"] for row in rows}
