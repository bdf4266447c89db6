"""Consolidated scoring (综合评分): document review and site visit, weighted.

Each stage's consensus sheet is scored against the application's own standard;
the final item, category and total points are the weighted sums of the stages'
points (weights from the cycle's rules, adding up to 1), always out of 500.

Ranking within a class: higher total first; ties go to the higher results
subtotal (结果), then the higher site-visit total, then the earlier application.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.reviews.models import ConsensusSheet
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.scoring.sheet import ScoreBreakdown, json_number, score_sheet
from mqa_workflow.standards.loader import load_standard

STAGES = ("document_review", "site_visit")


def consolidate(session: Session, application_id: int) -> ConsolidatedScore:
    application = session.get(Application, application_id)
    if application is None:
        raise InvalidInputError(f"no application {application_id}")
    weights = application.cycle.rules.score_weights
    standard = load_standard(application.award_class)
    step = application.cycle.rules.percentage_steps.get(application.award_class)
    breakdowns: dict[str, ScoreBreakdown] = {}
    for stage in STAGES:
        sheet = session.scalar(select(ConsensusSheet).where(
            ConsensusSheet.application_id == application_id, ConsensusSheet.stage == stage))
        if sheet is None:
            raise InvalidInputError(f"application {application_id} has no {stage} consensus")
        breakdowns[stage] = score_sheet(standard, sheet.percentages, step)
    w = {stage: Decimal(str(weights.get(stage, 0))) for stage in STAGES}
    items = {code: sum(w[s] * breakdowns[s].items[code].points for s in STAGES)
             for code in breakdowns[STAGES[0]].items}
    categories = {code: sum(w[s] * breakdowns[s].categories[code] for s in STAGES)
                  for code in breakdowns[STAGES[0]].categories}
    kinds = {kind: sum(w[s] * breakdowns[s].kinds[kind] for s in STAGES)
             for kind in ("process", "results")}
    total = sum((w[s] * breakdowns[s].total for s in STAGES), Decimal(0))
    score = session.get(ConsolidatedScore, application_id) or ConsolidatedScore(
        application_id=application_id)
    score.total = total
    score.document_review_total = breakdowns["document_review"].total
    score.site_visit_total = breakdowns["site_visit"].total
    score.weights = {s: float(w[s]) for s in STAGES}
    score.breakdown = {
        "items": {c: json_number(v) for c, v in items.items()},
        "categories": {c: json_number(v) for c, v in categories.items()},
        "process": json_number(kinds["process"]), "results": json_number(kinds["results"]),
        "stages": {s: breakdowns[s].to_json() for s in STAGES},
    }
    session.add(score)
    session.flush()
    rank_class(session, application.cycle_id, application.award_class)
    return score


def rank_class(session: Session, cycle_id: int, award_class: str) -> list[ConsolidatedScore]:
    scores = list(session.scalars(
        select(ConsolidatedScore).join(Application)
        .where(Application.cycle_id == cycle_id, Application.award_class == award_class)))
    scores.sort(key=lambda s: (-Decimal(s.total), -Decimal(str(s.breakdown["results"])),
                               -Decimal(s.site_visit_total), s.application_id))
    for rank, score in enumerate(scores, start=1):
        score.rank = rank
    session.flush()
    return scores
