"""Shortlisting a class after document review: the scoring rule decides who goes on, each
application then moves through the engine (site visit, or the defence first when the
cycle runs one; the others are not shortlisted)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.scoring.shortlist import (
    ShortlistEntry,
    document_review_order,
    shortlist_places,
)
from mqa_workflow.states.engine import advance


def shortlist_class(session: Session, cycle: AwardCycle, award_class: str,
                    actor: User) -> list[ShortlistEntry]:
    """Move the whole class at once: the top N to site visit, the rest not shortlisted."""
    places = cycle.rules.site_visits_per_class
    onward = "shortlist_for_defence" if cycle.rules.uses("defence") else "shortlist"
    entries = shortlist_places(document_review_order(session, cycle, award_class), places)
    for entry in entries:
        advance(session, entry.application_id, onward if entry.shortlisted else "not_shortlist",
                actor,
                reason=f"材料评审共识得分 {entry.total}，{award_class} 类第 {entry.position} 名"
                       f"（入围名额 {places}）",
                data={"position": entry.position, "total": str(entry.total)})
    return entries
