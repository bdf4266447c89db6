"""Competitive selection (差额选拔): the class's candidate list drawn from the
consolidated scores, keeping balance; the pure rule is ``procedure.candidate_selection``."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import ConflictError
from mqa_workflow.procedure.candidate_selection import BalanceRule, Candidate, SelectionResult
from mqa_workflow.procedure.candidate_selection import select as select_candidates_pure
from mqa_workflow.procedure.models import CandidateDecision
from mqa_workflow.scoring.models import ConsolidatedScore


def draw_candidates(session: Session, cycle: AwardCycle, award_class: str
                    ) -> tuple[list[Candidate], SelectionResult]:
    """The class's candidate list as it would be drawn now, stored nowhere (a dry run):
    the candidates (with their tie-break keys, for saying how ties were broken) and the
    selection with every application's reason."""
    rules = cycle.rules
    if rules.candidates_per_class is None:
        raise ConflictError("this cycle runs no competitive selection (差额选拔)")
    attribute = rules.selection_attribute.get(award_class, "industry")
    rows = session.execute(select(Application, ConsolidatedScore).join(
        ConsolidatedScore, ConsolidatedScore.application_id == Application.id).where(
        Application.cycle_id == cycle.id, Application.award_class == award_class,
        Application.state == "consolidated_scoring")).all()
    if not rows:
        raise ConflictError(f"no {award_class} application waits in consolidated_scoring")
    candidates = [Candidate(app.id, Decimal(score.total),
                            {attribute: str(getattr(app.organization, attribute, ""))},
                            Decimal(str(score.breakdown.get("results", 0))), app.title)
                  for app, score in rows]
    return candidates, select_candidates_pure(candidates, rules.candidates_per_class,
                                              BalanceRule(attribute, rules.selection_cap))


def select_candidates(session: Session, cycle: AwardCycle, award_class: str) -> SelectionResult:
    """Draw the class's candidate list from the consolidated scores, keeping balance, and
    record each application's decision (in or out, and why)."""
    _, result = draw_candidates(session, cycle, award_class)
    for entry in result.entries:
        decision = session.get(CandidateDecision, entry.application_id) or CandidateDecision(
            application_id=entry.application_id)
        decision.selected, decision.position, decision.reason = (entry.selected, entry.rank,
                                                                 entry.reason)
        session.add(decision)
    session.flush()
    return result
