"""Shortlisting after document review: per class, the top applications (cycle rule) go
on to the site visit (or first to the defence, when the cycle runs one); the others are
not shortlisted and keep their feedback.

Order: higher document-review consensus total first, then the higher results (结果)
subtotal, then the earlier application — the same tie rule as the final ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import TransitionRefusedError
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage
from mqa_workflow.scoring.sheet import score_sheet
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.engine import advance


@dataclass(frozen=True)
class ShortlistEntry:
    application_id: int
    position: int
    total: Decimal
    shortlisted: bool


def document_review_order(session: Session, cycle: AwardCycle,
                          award_class: str) -> list[tuple[Application, Decimal, Decimal]]:
    """Applications in document review of one class with their consensus, best first."""
    rows = []
    standard = load_standard(award_class)
    step = cycle.rules.percentage_steps.get(award_class)
    for application in session.scalars(select(Application).where(
            Application.cycle_id == cycle.id, Application.award_class == award_class,
            Application.state == "document_review")):
        sheet = session.scalar(select(ConsensusSheet).where(
            ConsensusSheet.application_id == application.id,
            ConsensusSheet.stage == ReviewStage.DOCUMENT_REVIEW.value))
        if sheet is None:
            raise TransitionRefusedError(
                f"cannot shortlist {award_class}: application {application.id} has no "
                "document-review consensus yet")
        breakdown = score_sheet(standard, sheet.percentages, step)
        rows.append((application, breakdown.total, breakdown.kinds["results"]))
    rows.sort(key=lambda row: (-row[1], -row[2], row[0].id))
    return rows


def shortlist_class(session: Session, cycle: AwardCycle, award_class: str,
                    actor: User) -> list[ShortlistEntry]:
    """Move the whole class at once: the top N to site visit, the rest not shortlisted."""
    places = cycle.rules.site_visits_per_class
    onward = "shortlist_for_defence" if cycle.rules.uses("defence") else "shortlist"
    entries = []
    ordered = document_review_order(session, cycle, award_class)
    for position, (application, total, _) in enumerate(ordered, start=1):
        chosen = position <= places
        advance(session, application.id, onward if chosen else "not_shortlist", actor,
                reason=f"材料评审共识得分 {total}，{award_class} 类第 {position} 名"
                       f"（入围名额 {places}）",
                data={"position": position, "total": str(total)})
        entries.append(ShortlistEntry(application.id, position, total, chosen))
    return entries
