"""Fair scoring figures for administrators: each application's total calibrated for
reviewer leniency, with its interval (shown beside the official consensus, never
replacing it), each reviewer's estimated leniency, and per-item agreement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.errors import ConflictError
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ScoreSheet, SheetStatus
from mqa_workflow.scoring.calibration import (
    CalibratedApplication,
    Calibration,
    ItemAgreement,
    RawScore,
    Reorder,
    calibrate,
    item_agreement,
    sheet_totals,
    supported_reorders,
)
from mqa_workflow.standards.loader import load_standard


@dataclass(frozen=True)
class ApplicationFairness:
    application_id: int
    consensus: Decimal | None  # the official figure: the team's consensus sheet
    calibration: CalibratedApplication  # raw mean, calibrated total, interval, component


@dataclass(frozen=True)
class FairnessReport:
    stage: str
    applications: list[ApplicationFairness]
    agreement: dict[str, ItemAgreement]
    calibration: Calibration
    reorders: list[Reorder]  # only those whose intervals separate


def fairness_report(session: Session, cycle_id: int, award_class: str,
                    stage: str) -> FairnessReport:
    rows = session.execute(
        select(ReviewAssignment.reviewer_id, ReviewAssignment.application_id,
               ScoreSheet.percentages)
        .join(ScoreSheet, ScoreSheet.assignment_id == ReviewAssignment.id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.cycle_id == cycle_id, Application.award_class == award_class,
               ReviewAssignment.stage == stage, ScoreSheet.status == SheetStatus.SUBMITTED)).all()
    if not rows:
        raise ConflictError(f"no submitted {stage} score sheets for {award_class} yet")
    scores = [RawScore(str(reviewer), application, code, Decimal(str(value)))
              for reviewer, application, sheet in rows for code, value in sheet.items()]
    standard = load_standard(award_class)
    points = {i.code: i.points for i in standard.scored_items()}
    try:
        calibration = calibrate(sheet_totals(scores, points), maximum=float(sum(points.values())))
    except ValueError as error:
        raise ConflictError(str(error)) from error
    consensus = dict(session.execute(
        select(ConsensusSheet.application_id, ConsensusSheet.total)
        .where(ConsensusSheet.stage == stage,
               ConsensusSheet.application_id.in_(calibration.applications))).all())
    # The official order is the consensus; where there is none yet, the raw mean.
    official = {a: float(consensus[a]) if consensus.get(a) is not None else row.raw_mean
                for a, row in calibration.applications.items()}
    applications = [ApplicationFairness(a, consensus.get(a), row)
                    for a, row in sorted(calibration.applications.items())]
    return FairnessReport(stage, applications, item_agreement(scores), calibration,
                          supported_reorders(calibration, official))
