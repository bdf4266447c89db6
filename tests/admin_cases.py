"""Cases for the administrator's pages, added to the small world of tests/e2e/world.py.

Beside application A (document review, its full team, sheets due in five days) the cycle
gets: two submitted applications (ready for the eligibility check), one in document
review whose team is one reviewer short and whose sheet is overdue, a cultural project
and an economic application with consolidated scores, and an economic application
awarded the grand award with its committee decision frozen. Placed directly (test
set-up only): the states, scores and decision are what the workflow would have left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import now
from mqa_workflow.committee.models import CommitteeDecision
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.reviews.models import ReviewAssignment
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from tests import factories
from tests.e2e.world import World

# The decision's moment: 2026-06-30 02:15 UTC is 10:15 in Beijing.
DECIDED_AT = datetime(2026, 6, 30, 2, 15, tzinfo=UTC)


@dataclass
class Cases:
    submitted: list[int]
    short: int  # document review, one of two reviewers, the sheet overdue
    scored: int  # economic, consolidated 401.235
    cultural: int  # cultural project, consolidated
    awarded: int  # economic, awarded the grand award (decision frozen)


def _scores(award_class: str, share: Decimal) -> tuple[Decimal, dict[str, str]]:
    """Every category at ``share`` of its points: the total and the category points."""
    categories = {c.code: str((Decimal(c.points) * share).quantize(Decimal("0.001")))
                  for c in load_standard(award_class).categories}
    return sum((Decimal(v) for v in categories.values()), Decimal(0)), categories


def _score(session: object, application: Application, share: str) -> None:
    total, categories = _scores(application.award_class, Decimal(share))
    session.add(ConsolidatedScore(  # type: ignore[attr-defined]
        application_id=application.id, total=total, document_review_total=total,
        site_visit_total=total, weights={}, breakdown={
            "categories": categories, "process": str(total * Decimal("0.6")),
            "results": str(total * Decimal("0.4"))}))


def add_cases(world: World) -> Cases:
    with world.database.session() as session:
        cycle = session.get(AwardCycle, world.cycle_id)
        assert cycle is not None
        cycle.classes = ["economic", "cultural"]
        for assignment in session.scalars(select(ReviewAssignment).where(
                ReviewAssignment.application_id == world.application_id)):
            assignment.due_at = now() + timedelta(days=5)
        submitted = [factories.application(session, award_cycle=cycle, state="submitted").id
                     for _ in range(2)]
        short = factories.application(session, award_cycle=cycle, state="document_review")
        reviewer2 = get_user(session, world.emails["reviewer2"])
        session.add(ReviewAssignment(application_id=short.id, reviewer_id=reviewer2.id,
                                     stage="document_review", is_leader=True,
                                     status="assigned", due_at=now() - timedelta(days=2)))
        scored = factories.application(session, award_cycle=cycle,
                                       state="consolidated_scoring")
        _score(session, scored, "0.80247")
        cultural = factories.application(session, award_cycle=cycle, award_class="cultural",
                                         state="consolidated_scoring")
        _score(session, cultural, "0.7")
        awarded = factories.application(session, award_cycle=cycle, state="awarded_grand")
        _score(session, awarded, "0.9")
        session.add(CommitteeDecision(
            application_id=awarded.id, outcome="grand", trigger="award_grand", eligible=1,
            recused=0, counts={"grand": 1, "encouragement": 0, "none": 0}, notes=[],
            decided_by=world.emails["admin"], decided_at=DECIDED_AT))
        session.flush()
        return Cases(submitted, short.id, scored.id, cultural.id, awarded.id)


def state_of(world: World, application_id: int) -> str:
    with world.database.session() as session:
        return str(session.scalar(select(Application.state).where(
            Application.id == application_id)))
