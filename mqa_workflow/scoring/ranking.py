"""A class's ranking (排名): the one list every page, export, report and the demo show.

It lists every application of the class that reached scoring (document review or
later) exactly once; a withdrawn or ineligible application is never ranked, even
when it was scored before it left. Shortlisted applications come first — those with
a consolidated score by the final ranking rule (higher total, then the higher results
(结果) subtotal, then the higher site-visit total, then the earlier application),
then those still on their way to it — and the others after them, each with its
stage, by their document-review consensus (higher total, then the higher results
subtotal, then the earlier application; not yet scored last).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.applications.models import ApplicationState as State
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.sheet import score_sheet

NOT_YET_SCORED = frozenset({State.DRAFT, State.SUBMITTED, State.ELIGIBILITY_CHECK,
                            State.RETURNED_FOR_CORRECTION})
NEVER_RANKED = frozenset({State.WITHDRAWN, State.INELIGIBLE})
NOT_SHORTLISTED = frozenset({State.DOCUMENT_REVIEW, State.NOT_SHORTLISTED})
RANKED_STATES = frozenset(State) - NOT_YET_SCORED - NEVER_RANKED


@dataclass(frozen=True)
class RankingEntry:
    position: int
    application: Application
    shortlisted: bool
    score: ConsolidatedScore | None
    document_review_total: Decimal | None

    @property
    def stage(self) -> str:
        return self.application.state


def class_ranking(session: Session, cycle_id: int, award_class: str) -> list[RankingEntry]:
    applications = list(session.scalars(select(Application).where(
        Application.cycle_id == cycle_id, Application.award_class == award_class,
        Application.state.in_([s.value for s in RANKED_STATES])).order_by(Application.id)))
    ids = [a.id for a in applications]
    scores = {s.application_id: s for s in session.scalars(
        select(ConsolidatedScore).where(ConsolidatedScore.application_id.in_(ids)))}
    standings = document_review_standings(session, applications)

    def final_key(a: Application) -> tuple[Decimal, Decimal, Decimal, int]:
        s = scores[a.id]
        return (-Decimal(s.total), -Decimal(str(s.breakdown["results"])),
                -Decimal(s.site_visit_total), a.id)

    def document_key(a: Application) -> tuple[int, Decimal, Decimal, int]:
        return document_review_key(a, standings.get(a.id))

    shortlisted = [a for a in applications if a.state not in NOT_SHORTLISTED]
    consolidated = sorted((a for a in shortlisted if a.id in scores), key=final_key)
    on_the_way = sorted((a for a in shortlisted if a.id not in scores), key=document_key)
    others = sorted((a for a in applications if a.state in NOT_SHORTLISTED),
                    key=document_key)
    ordered = [(a, True) for a in consolidated + on_the_way] + [(a, False) for a in others]
    return [RankingEntry(position, application, chosen, scores.get(application.id),
                         standings[application.id][0] if application.id in standings else None)
            for position, (application, chosen) in enumerate(ordered, start=1)]


def document_review_key(application: Application, standing: tuple[Decimal, Decimal] | None
                        ) -> tuple[int, Decimal, Decimal, int]:
    """The document-review order (shortlisting uses it too): higher consensus total,
    then the higher results subtotal, then the earlier application; unscored last."""
    if standing is None:
        return (1, Decimal(0), Decimal(0), application.id)
    return (0, -standing[0], -standing[1], application.id)


def document_review_standings(session: Session, applications: list[Application]
                              ) -> dict[int, tuple[Decimal, Decimal]]:
    """Each application's document-review consensus: (total, results subtotal)."""
    by_id = {a.id: a for a in applications}
    found = {}
    for sheet in session.scalars(select(ConsensusSheet).where(
            ConsensusSheet.application_id.in_(list(by_id)),
            ConsensusSheet.stage == ReviewStage.DOCUMENT_REVIEW.value)):
        application = by_id[sheet.application_id]
        step = application.cycle.rules.percentage_steps.get(application.award_class)
        breakdown = score_sheet(load_standard(application.award_class), sheet.percentages, step)
        found[application.id] = (breakdown.total, breakdown.kinds["results"])
    return found


def cycle_rankings(session: Session, cycle_id: int, classes: list[str]
                   ) -> dict[str, list[RankingEntry]]:
    """Every class's ranking, classes without a ranked application left out."""
    found = {c: class_ranking(session, cycle_id, c) for c in classes}
    return {c: entries for c, entries in found.items() if entries}
