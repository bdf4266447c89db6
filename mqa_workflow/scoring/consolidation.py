"""Consolidated scoring (综合评分): document review and site visit, weighted.

Each stage's consensus sheet is scored against the application's own standard;
the final item, category and total points are the weighted sums of the stages'
points (weights from the cycle's rules, adding up to 1), always out of 500. The
Shenzhen procedure adds the defence panel's consensus sheet and the social
evaluation, whose satisfaction percentage counts as that stage's percentage on
every item (so 90 % satisfaction is 450 of 500 points for that stage).

Ranking within a class: :mod:`mqa_workflow.scoring.ranking` (higher total first; ties
go to the higher results subtotal (结果), then the higher site-visit total, then the
earlier application; withdrawn applications are never ranked).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.procedure.models import SocialEvaluation
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.scoring.ranking import class_ranking
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import Standard
from mqa_workflow.standards.sheet import (
    ScoreBreakdown,
    json_number,
    score_sheet,
    score_uniform,
)

# Stages scored item by item (a consensus sheet each); social evaluation is one figure.
ITEM_STAGES: tuple[ReviewStage, ...] = tuple(ReviewStage)
SOCIAL = "social_evaluation"


def consolidate(session: Session, application_id: int) -> ConsolidatedScore:
    application = session.get(Application, application_id)
    if application is None:
        raise InvalidInputError(f"no application {application_id}")
    rules = application.cycle.rules
    weights = {s: Decimal(str(w)) for s, w in rules.score_weights.items() if w}
    standard = load_standard(application.award_class)
    step = rules.percentage_steps.get(application.award_class)
    breakdowns = {stage: _stage_breakdown(session, application, stage, standard, step)
                  for stage in weights}
    items = {code: sum(weights[s] * b.items[code].points for s, b in breakdowns.items())
             for code in breakdowns["document_review"].items}
    categories = {code: sum(weights[s] * b.categories[code] for s, b in breakdowns.items())
                  for code in breakdowns["document_review"].categories}
    kinds = {kind: sum(weights[s] * b.kinds[kind] for s, b in breakdowns.items())
             for kind in ("process", "results")}
    total = sum((weights[s] * b.total for s, b in breakdowns.items()), Decimal(0))
    score = session.get(ConsolidatedScore, application_id) or ConsolidatedScore(
        application_id=application_id)
    score.total = total
    score.document_review_total = breakdowns["document_review"].total
    score.site_visit_total = breakdowns["site_visit"].total
    score.weights = {s: float(w) for s, w in weights.items()}
    score.breakdown = {
        "items": {c: json_number(v) for c, v in items.items()},
        "categories": {c: json_number(v) for c, v in categories.items()},
        "process": json_number(kinds["process"]), "results": json_number(kinds["results"]),
        "stages": {s: b.to_json() for s, b in breakdowns.items()},
    }
    session.add(score)
    session.flush()
    rank_class(session, application.cycle_id, application.award_class)
    return score


def _stage_breakdown(session: Session, application: Application, stage: str,
                     standard: Standard, step: int | None) -> ScoreBreakdown:
    """A stage's breakdown; social evaluation's satisfaction applies to every item, so it
    too is reported against the 500-point standard."""
    if stage == SOCIAL:
        evaluation = session.get(SocialEvaluation, application.id)
        if evaluation is None:
            raise InvalidInputError(f"application {application.id} has no social evaluation")
        return score_uniform(standard, Decimal(evaluation.satisfaction))
    sheet = session.scalar(select(ConsensusSheet).where(
        ConsensusSheet.application_id == application.id, ConsensusSheet.stage == stage))
    if sheet is None:
        raise InvalidInputError(f"application {application.id} has no {stage} consensus")
    return score_sheet(standard, sheet.percentages, step)


def rank_class(session: Session, cycle_id: int, award_class: str) -> list[ConsolidatedScore]:
    """Store each consolidated score's place in the class's ranking (the one rule in
    :mod:`mqa_workflow.scoring.ranking`); a withdrawn application's score has none."""
    ranking = class_ranking(session, cycle_id, award_class)
    places = {entry.application.id: entry.position for entry in ranking if entry.score}
    scores = list(session.scalars(
        select(ConsolidatedScore).join(Application)
        .where(Application.cycle_id == cycle_id, Application.award_class == award_class)))
    for score in scores:
        score.rank = places.get(score.application_id)
    session.flush()
    return sorted((s for s in scores if s.rank is not None), key=lambda s: s.rank or 0)
