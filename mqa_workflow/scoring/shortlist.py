"""The shortlist after document review: per class, the top applications (cycle rule) go
on to the site visit (or first to the defence, when the cycle runs one); the others are
not shortlisted and keep their feedback. Moving them is the workflow's part
(``states/shortlisting.py``).

Order: the ranking's document-review order (mqa_workflow/scoring/ranking.py): higher
consensus total first, then the higher results (结果) subtotal, then the earlier
application.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import TransitionRefusedError
from mqa_workflow.scoring.ranking import document_review_key, document_review_standings


@dataclass(frozen=True)
class ShortlistEntry:
    application_id: int
    position: int
    total: Decimal
    shortlisted: bool


def document_review_order(session: Session, cycle: AwardCycle,
                          award_class: str) -> list[tuple[Application, Decimal, Decimal]]:
    """Applications in document review of one class with their consensus (total, results
    subtotal), best first — the ranking's own document-review order."""
    applications = list(session.scalars(select(Application).where(
        Application.cycle_id == cycle.id, Application.award_class == award_class,
        Application.state == ApplicationState.DOCUMENT_REVIEW).order_by(Application.id)))
    standings = document_review_standings(session, applications)
    for application in applications:
        if application.id not in standings:
            raise TransitionRefusedError(
                f"cannot shortlist {award_class}: application {application.id} has no "
                "document-review consensus yet")
    applications.sort(key=lambda a: document_review_key(a, standings[a.id]))
    return [(a, *standings[a.id]) for a in applications]


def shortlist_places(ordered: list[tuple[Application, Decimal, Decimal]], places: int
                     ) -> list[ShortlistEntry]:
    """The shortlist rule: in the document-review order, the first ``places`` go on, the
    others do not (the cycle's ``site_visits_per_class``)."""
    return [ShortlistEntry(application.id, position, total, position <= places)
            for position, (application, total, _) in enumerate(ordered, start=1)]
