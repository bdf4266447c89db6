"""Fair scoring figures for administrators: each reviewer's leniency normalised away
(shown beside the raw consensus, never replacing it) and per-item agreement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.errors import ConflictError
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ScoreSheet
from mqa_workflow.shenzhen.fairness import (
    ItemAgreement,
    Normalisation,
    RawScore,
    application_totals,
    item_agreement,
    normalise,
)
from mqa_workflow.standards.loader import load_standard


@dataclass(frozen=True)
class ApplicationFairness:
    application_id: int
    consensus: Decimal | None  # the official figure: the team's consensus sheet
    raw_mean: Decimal  # mean of the reviewers' own sheets
    normalised: Decimal  # the same after removing each reviewer's leniency


@dataclass(frozen=True)
class FairnessReport:
    stage: str
    applications: list[ApplicationFairness]
    agreement: dict[str, ItemAgreement]
    normalisation: Normalisation


def fairness_report(session: Session, cycle_id: int, award_class: str,
                    stage: str) -> FairnessReport:
    rows = session.execute(
        select(ReviewAssignment.reviewer_id, ReviewAssignment.application_id,
               ScoreSheet.percentages)
        .join(ScoreSheet, ScoreSheet.assignment_id == ReviewAssignment.id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.cycle_id == cycle_id, Application.award_class == award_class,
               ReviewAssignment.stage == stage, ScoreSheet.status == "submitted")).all()
    if not rows:
        raise ConflictError(f"no submitted {stage} score sheets for {award_class} yet")
    scores = [RawScore(str(reviewer), application, code, Decimal(str(value)))
              for reviewer, application, sheet in rows for code, value in sheet.items()]
    normalisation = normalise(scores)
    points = {i.code: i.points for i in load_standard(award_class).scored_items()}
    totals = application_totals(normalisation, points)
    consensus = dict(session.execute(select(ConsensusSheet.application_id, ConsensusSheet.total)
                                     .where(ConsensusSheet.stage == stage,
                                            ConsensusSheet.application_id.in_(totals))).all())
    applications = [ApplicationFairness(a, consensus.get(a), t.raw, t.normalised)
                    for a, t in sorted(totals.items())]
    return FairnessReport(stage, applications, item_agreement(scores), normalisation)
