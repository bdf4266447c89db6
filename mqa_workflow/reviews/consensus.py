"""The team leader's consensus sheet over the reviewers' submitted sheets."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.models import (
    ACTIVE,
    AssignmentStatus,
    ConsensusSheet,
    ReviewAssignment,
    ReviewStage,
    ScoreSheet,
)
from mqa_workflow.reviews.sheets import percentage_step, submitted_sheets
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.sheet import ScoreSheetError, effective_step, score_sheet
from mqa_workflow.translations.message import Word, refusal

# Per item: the reviewers' percentages, their spread, and whether it is flagged.
Spreads = dict[str, tuple[list[int], int, bool]]


def spreads(session: Session, application: Application, stage: ReviewStage) -> Spreads:
    """Per item: the reviewers' percentages, their spread, and whether it is flagged."""
    return spreads_of(application, submitted_sheets(session, application.id, stage))


def spreads_of(application: Application, sheets: Sequence[ScoreSheet]) -> Spreads:
    """:func:`spreads` over ``sheets``, the application's submitted sheets of the stage
    (in the order :func:`submitted_sheets` gives them)."""
    threshold = application.cycle.rules.consensus_threshold
    result = {}
    for item in load_standard(application.award_class).scored_items():
        values = [int(sheet.percentages[item.code]) for sheet in sheets]
        spread = max(values) - min(values) if values else 0
        result[item.code] = (values, spread, spread > threshold)
    return result


def leader_place(session: Session, application: Application, stage: ReviewStage,
                 leader: User) -> ReviewAssignment:
    """``leader``'s active assignment as the stage team's leader; refused otherwise."""
    place = session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.stage == stage.value,
            ReviewAssignment.reviewer_id == leader.id,
            ReviewAssignment.is_leader.is_(True),
            ReviewAssignment.status.in_(ACTIVE),
        )
    )
    if place is None:
        raise ConflictError(refusal(
            "%(name)s does not lead the %(stage)s team of application %(application)s",
            name=leader.name, stage=Word("stage", stage.value), application=application.id))
    return place


def record_consensus(
    session: Session,
    application: Application,
    stage: ReviewStage,
    leader: User,
    decisions: Mapping[str, tuple[int, str]],
) -> ConsensusSheet:
    """The team leader's consensus sheet: flagged items need a decision with a rationale;
    the others take the reviewers' median, rounded to the guide's step."""
    leader_assignment = leader_place(session, application, stage, leader)
    if leader_assignment.status != AssignmentStatus.SUBMITTED.value:
        # Independent scoring: the leader sees the others' percentages only after scoring.
        raise ConflictError(refusal(
            "%(name)s must submit their own %(stage)s score sheet before recording the "
            "consensus", name=leader.name, stage=Word("stage", stage.value)))
    percentages, flagged, total = agreed_percentages(
        application, spreads(session, application, stage), decisions)
    sheet = ConsensusSheet(
        application_id=application.id,
        stage=stage.value,
        percentages=percentages,
        flagged=flagged,
        total=total,
        recorded_by=leader.id,
    )
    session.add(sheet)
    session.flush()
    return sheet


def agreed_percentages(application: Application, found: Spreads,
                       decisions: Mapping[str, tuple[int, str]]
                       ) -> tuple[dict[str, int], dict[str, Any], Decimal]:
    """The consensus sheet's percentages, flagged items and total from the items'
    spreads: flagged items need a decision with a rationale; the others take the
    reviewers' median, rounded to the guide's step. Refused (nothing recorded) when an
    item has no sheet or a flagged item no decision."""
    standard = load_standard(application.award_class)
    percentages, flagged, problems = {}, {}, []
    for code, (values, spread, is_flagged) in found.items():
        if not values:
            problems.append(refusal("item %(code)s: no submitted score sheet", code=code))
        elif is_flagged and code not in decisions:
            problems.append(refusal(
                "item %(code)s: spread %(spread)s exceeds the threshold; the leader must "
                "record the consensus percentage and rationale (%(values)s)",
                code=code, spread=spread, values=values))
        elif code in decisions:
            percentages[code], rationale = decisions[code]
            flagged[code] = {"values": values, "spread": spread, "rationale": rationale}
        else:
            guide = standard.guide(standard.item(code).scoring_guide)
            step = effective_step(guide, percentage_step(application))
            percentages[code] = int(step * round(statistics.median(values) / step))
    if problems:
        raise InvalidInputError(refusal("cannot record the consensus"), problems)
    try:
        breakdown = score_sheet(standard, percentages, percentage_step(application))
    except ScoreSheetError as error:
        raise InvalidInputError(refusal("the consensus sheet is refused"), error.problems
                                ) from None
    return percentages, flagged, Decimal(breakdown.total)
