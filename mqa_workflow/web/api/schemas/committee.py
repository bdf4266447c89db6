"""The committee's view as the API shows it: scores, tallies, votes and the results."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mqa_workflow.committee.service import Tally
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.web.api.schemas.applications import ApplicationRead
from mqa_workflow.web.api.schemas.common import Moment, Read, number, when
from mqa_workflow.web.api.schemas.reviews import FindingRead


class ScoreRead(Read):
    total: float | None
    rank: int | None
    document_review_total: float | None
    site_visit_total: float | None
    categories: dict[str, Any]
    process: Any
    results: Any
    weights: dict[str, Any]

    @classmethod
    def of(cls, score: ConsolidatedScore | None) -> ScoreRead | None:
        if score is None:
            return None
        return cls(total=number(score.total), rank=score.rank,
                   document_review_total=number(score.document_review_total),
                   site_visit_total=number(score.site_visit_total),
                   categories=dict(score.breakdown.get("categories", {})),
                   process=score.breakdown.get("process"),
                   results=score.breakdown.get("results"), weights=dict(score.weights))


class TallyRead(Read):
    """The frozen decision once taken, the live tally while the committee decides."""

    eligible: int
    recused: int
    counts: dict[str, int]
    outcome: str | None
    problems: list[str]
    notes: list[str]
    frozen: bool
    decided_by: str | None
    decided_at: Moment | None

    @classmethod
    def of(cls, result: Tally | None) -> TallyRead | None:
        if result is None:
            return None
        return cls(eligible=result.eligible, recused=result.recused, counts=result.counts,
                   outcome=result.outcome, problems=result.problems, notes=result.notes,
                   frozen=result.frozen, decided_by=result.decided_by,
                   decided_at=when(result.decided_at))


class CommitteeApplicationRead(ApplicationRead):
    score: ScoreRead | None
    my_vote: str | None
    site_visit_findings: list[FindingRead]


class VoteRead(Read):
    detail: str
    choice: str


class ResultRowRead(ApplicationRead):
    position: int | None
    shortlisted: bool
    score: ScoreRead | None
    outcome: str | None
    decision_frozen: bool


class ResultsRead(Read):
    cycle_id: int
    classes: dict[str, list[ResultRowRead]] = Field(
        description="award class → its ranking (classes with nothing you may see left out)")
