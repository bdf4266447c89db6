"""Guards: the preconditions of transitions, each listing every unmet condition.

A guard returns a list of plain sentences; an empty list means it holds. The
table in ``table.py`` names guards by key so the diagram can show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import OFFICE_TZ, now, office_today
from mqa_workflow.committee.service import tally
from mqa_workflow.procedure.models import (
    CandidateDecision,
    DefenceSlot,
    EligibilityReview,
    Objection,
    PublicNotice,
    SocialEvaluation,
)
from mqa_workflow.reviews.models import (
    AssignmentStatus,
    ConsensusSheet,
    ReviewAssignment,
    ReviewStage,
    SiteVisit,
)
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard


@dataclass
class GuardContext:
    session: Session
    application: Application
    actor: User
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return office_today()


Guard = Callable[[GuardContext], list[str]]


def application_complete(ctx: GuardContext) -> list[str]:
    application = ctx.application
    standard = load_standard(application.award_class)
    problems = []
    if not application.profile.strip():
        problems.append(f"the organizational profile ({standard.profile.name}) is blank")
    answers = application.answer_texts()
    problems += [
        f"item {item.code} {item.name}: no written answer"
        for item in standard.scored_items()
        if not answers.get(item.code, "").strip()
    ]
    return problems


def before_submission_deadline(ctx: GuardContext) -> list[str]:
    deadline = ctx.application.cycle.deadline("submission")
    if deadline and ctx.today > deadline:
        return [f"the submission deadline {deadline.isoformat()} has passed"]
    return []


def before_correction_deadline(ctx: GuardContext) -> list[str]:
    due: datetime | None = ctx.application.correction_due_at
    if due and now() > due:
        local = due.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
        return [f"the correction (补正) deadline {local} has passed"]
    return []


def reviews_complete(stage: ReviewStage) -> Guard:
    def guard(ctx: GuardContext) -> list[str]:
        needed = ctx.application.cycle.rules.team_size(stage.value)
        assignments = ctx.session.scalars(
            select(ReviewAssignment).where(
                ReviewAssignment.application_id == ctx.application.id,
                ReviewAssignment.stage == stage.value,
                ReviewAssignment.status.in_(
                    [AssignmentStatus.ASSIGNED.value, AssignmentStatus.SUBMITTED.value]
                ),
            )
        ).all()
        problems = []
        if len(assignments) < needed:
            problems.append(
                f"{stage.value}: {len(assignments)} of {needed} reviewers are assigned"
            )
        problems += [
            f"{stage.value}: the score sheet of {a.reviewer.name} (reviewer {a.reviewer_id}) "
            "is not submitted"
            for a in assignments
            if a.status == AssignmentStatus.ASSIGNED.value
        ]
        return problems

    return guard


def site_visit_reported(ctx: GuardContext) -> list[str]:
    visit = ctx.session.get(SiteVisit, ctx.application.id)
    if visit is None:
        return ["the site visit is not scheduled"]
    return [] if visit.reported_at else ["the site-visit report is not submitted"]


def consolidated_score_recorded(ctx: GuardContext) -> list[str]:
    if ctx.session.get(ConsolidatedScore, ctx.application.id) is None:
        return ["the consolidated score has not been computed yet"]
    return []


def committee_voted(outcome: str) -> Guard:
    def guard(ctx: GuardContext) -> list[str]:
        result = tally(ctx.session, ctx.application)
        if result.problems:
            return result.problems
        if result.outcome != outcome:
            why = f" ({'; '.join(result.notes)})" if result.notes else ""
            return [f"the committee's vote gives {result.outcome!r}, not {outcome!r}{why}"]
        return []

    return guard


def uses_stage(stage: str, wanted: bool) -> Guard:
    """The cycle's rules pick the Shenzhen procedure's optional stage or the plain path."""

    def guard(ctx: GuardContext) -> list[str]:
        if ctx.application.cycle.rules.uses(stage) == wanted:
            return []
        runs = "runs" if not wanted else "does not run"
        return [f"this cycle {runs} the {stage} stage"]

    return guard


def eligibility_settled(ctx: GuardContext) -> list[str]:
    """With eligibility rules, the automatic check must have run; confirming against a
    failed or incomplete check is an override and needs a written reason."""
    if not ctx.application.cycle.rules.eligibility:
        return []
    review = ctx.session.get(EligibilityReview, ctx.application.id)
    if review is None:
        return ["the eligibility check has not been run (mqa eligibility check)"]
    if review.passed is not True and not ctx.reason.strip():
        verdict = "failed" if review.passed is False else "is incomplete"
        return [f"the eligibility check {verdict}; confirming anyway is an override and "
                "needs a written reason"]
    return []


def defence_complete(ctx: GuardContext) -> list[str]:
    problems = reviews_complete(ReviewStage.DEFENCE)(ctx)
    if ctx.session.get(DefenceSlot, ctx.application.id) is None:
        problems.insert(0, "no defence slot is scheduled")
    if not _has_consensus(ctx, ReviewStage.DEFENCE):
        problems.append("the defence panel's consensus score is not recorded")
    return problems


def _has_consensus(ctx: GuardContext, stage: ReviewStage) -> bool:
    return ctx.session.scalar(select(ConsensusSheet.id).where(
        ConsensusSheet.application_id == ctx.application.id,
        ConsensusSheet.stage == stage.value)) is not None


def social_evaluation_recorded(ctx: GuardContext) -> list[str]:
    if ctx.session.get(SocialEvaluation, ctx.application.id) is None:
        return ["the social evaluation (社会评价) result is not recorded"]
    return []


def candidate_decision(selected: bool) -> Guard:
    def guard(ctx: GuardContext) -> list[str]:
        if ctx.application.cycle.rules.candidates_per_class is None:
            return [] if selected else ["this cycle runs no competitive selection (差额选拔)"]
        decision = ctx.session.get(CandidateDecision, ctx.application.id)
        if decision is None:
            return ["the candidate list of this class is not drawn yet (mqa candidates select)"]
        if decision.selected != selected:
            return [f"the candidate list says otherwise: {decision.reason}"]
        return []

    return guard


def notice_closed_clear(ctx: GuardContext) -> list[str]:
    notice = ctx.session.get(PublicNotice, ctx.application.id)
    if notice is None:
        return ["no public notice (公示) was published"]
    problems = []
    if ctx.today <= notice.closes_on:
        problems.append(f"the public notice runs until {notice.closes_on.isoformat()}")
    open_ones = ctx.session.scalars(select(Objection.id).where(
        Objection.application_id == ctx.application.id,
        Objection.status.in_(["open", "upheld"]))).all()
    problems += [f"objection {oid} is open or upheld" for oid in open_ones]
    return problems


def proposed(award: str) -> Guard:
    def guard(ctx: GuardContext) -> list[str]:
        notice = ctx.session.get(PublicNotice, ctx.application.id)
        if notice is not None and notice.proposed_award != award:
            return [f"the notice proposed the {notice.proposed_award} award, not {award}"]
        return []

    return guard


def objection_upheld(ctx: GuardContext) -> list[str]:
    upheld = ctx.session.scalar(select(Objection.id).where(
        Objection.application_id == ctx.application.id, Objection.status == "upheld"))
    return [] if upheld else ["no objection against this application has been upheld"]


GUARDS: dict[str, Guard] = {
    "application_complete": application_complete,
    "before_submission_deadline": before_submission_deadline,
    "before_correction_deadline": before_correction_deadline,
    "document_review_complete": reviews_complete(ReviewStage.DOCUMENT_REVIEW),
    "site_visit_complete": reviews_complete(ReviewStage.SITE_VISIT),
    "site_visit_reported": site_visit_reported,
    "consolidated_score_recorded": consolidated_score_recorded,
    "committee_voted_grand": committee_voted("grand"),
    "committee_voted_encouragement": committee_voted("encouragement"),
    "committee_voted_no_award": committee_voted("none"),
    "eligibility_settled": eligibility_settled,
    "defence_complete": defence_complete,
    "social_evaluation_recorded": social_evaluation_recorded,
    "candidate_selected": candidate_decision(True),
    "candidate_not_selected": candidate_decision(False),
    "notice_closed_clear": notice_closed_clear,
    "proposed_grand": proposed("grand"),
    "proposed_encouragement": proposed("encouragement"),
    "objection_upheld": objection_upheld,
    **{f"{'uses' if wanted else 'skips'}_{stage}": uses_stage(stage, wanted)
       for stage in ("defence", "social_evaluation", "public_notice")
       for wanted in (True, False)},
}
