"""Reviewers' score sheets: drafts, submission (then locked), progress of a team."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mqa_workflow.applications.models import Application
from mqa_workflow.clock import now
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.models import (
    ACTIVE,
    AssignmentStatus,
    ReviewAssignment,
    ReviewStage,
    ScoreSheet,
    SheetStatus,
)
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.sheet import ScoreSheetError, score_sheet
from mqa_workflow.translations.message import Word, refusal


def percentage_step(application: Application) -> int | None:
    """The cycle's percentage step for the class (None: the guide's own)."""
    return application.cycle.rules.percentage_steps.get(application.award_class)


def save_sheet(
    session: Session,
    assignment: ReviewAssignment,
    percentages: Mapping[str, Any],
    comments: Mapping[str, Any] | None = None,
    *,
    submit: bool = False,
) -> ScoreSheet:
    """Save a draft (partial sheets allowed) or submit it (complete, then locked)."""
    if assignment.status not in ACTIVE:
        raise ConflictError(refusal("assignment %(assignment)s is %(status)s",
                                    assignment=assignment.id,
                                    status=Word("assignment", str(assignment.status))))
    sheet = session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
        raise ConflictError(refusal(
            "the score sheet of assignment %(assignment)s is submitted and locked",
            assignment=assignment.id))
    application = session.get(Application, assignment.application_id)
    assert application is not None
    merged = dict(sheet.percentages if sheet else {}) | dict(percentages)
    _validate(application, merged, complete=submit)
    sheet = sheet or ScoreSheet(assignment_id=assignment.id)
    sheet.percentages = merged
    sheet.comments = dict(sheet.comments or {}) | dict(comments or {})
    if submit:
        sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now()
        assignment.status = AssignmentStatus.SUBMITTED.value
    session.add(sheet)
    assignment_id = assignment.id  # the failed flush below expires every loaded object
    try:
        session.flush()
    except StaleDataError:  # someone saved this sheet since we read it: theirs stands
        raise ConflictError(refusal(
            "the score sheet of assignment %(assignment)s was saved elsewhere meanwhile; "
            "reload it and apply your change again", assignment=assignment_id)) from None
    return sheet


def check_submission(application: Application, percentages: Mapping[str, Any]) -> None:
    """Refuse a sheet that could not be submitted: incomplete, or off the guide's steps."""
    _validate(application, percentages, complete=True)


def _validate(application: Application, percentages: Mapping[str, Any], complete: bool) -> None:
    standard = load_standard(application.award_class)
    try:
        if complete:
            score_sheet(standard, percentages, percentage_step(application))
        else:  # a draft: check the values given, not that every item is there
            filled = {i.code: percentages.get(i.code, 0) for i in standard.scored_items()}
            score_sheet(standard, filled | dict(percentages), percentage_step(application))
    except ScoreSheetError as error:
        raise InvalidInputError(refusal("the score sheet is refused"), error.problems
                                ) from None


def submitted_sheets(session: Session, application_id: int, stage: ReviewStage) -> list[ScoreSheet]:
    return list(
        session.scalars(
            select(ScoreSheet)
            .join(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.stage == stage.value,
                # a reviewer withdrawn for a conflict no longer counts
                ReviewAssignment.status.in_(ACTIVE),
                ScoreSheet.status == SheetStatus.SUBMITTED,
            )
            .order_by(ScoreSheet.id)
        )
    )


def sheet_progress(session: Session, application_id: int, stage: str) -> tuple[int, int]:
    """(k, n): k of the stage team's n active reviewers have submitted their sheet."""
    statuses = list(session.scalars(select(ReviewAssignment.status).where(
        ReviewAssignment.application_id == application_id, ReviewAssignment.stage == stage,
        ReviewAssignment.status.in_(ACTIVE))))
    return statuses.count(AssignmentStatus.SUBMITTED.value), len(statuses)
