"""Guards: the preconditions of transitions, each listing every unmet condition.

A guard returns a list of plain sentences; an empty list means it holds. The
table in ``table.py`` names guards by key so the diagram can show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import OFFICE_TZ, now
from mqa_workflow.committee.service import tally
from mqa_workflow.reviews.models import (
    AssignmentStatus,
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
    def today(self) -> Any:
        return now().astimezone(OFFICE_TZ).date()


Guard = Callable[[GuardContext], list[str]]


def application_complete(ctx: GuardContext) -> list[str]:
    application = ctx.application
    standard = load_standard(application.award_class)
    problems = []
    if not application.profile.strip():
        problems.append(f"the organizational profile ({standard.profile.name}) is blank")
    if application.award_class != "economic" and application.project_id is None:
        problems.append(f"a {application.award_class} application must name its project")
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


def reviews_complete(stage: ReviewStage, needed: Callable[[GuardContext], int]) -> Guard:
    def guard(ctx: GuardContext) -> list[str]:
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
        if len(assignments) < needed(ctx):
            problems.append(
                f"{stage.value}: {len(assignments)} of {needed(ctx)} reviewers are assigned"
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


GUARDS: dict[str, Guard] = {
    "application_complete": application_complete,
    "before_submission_deadline": before_submission_deadline,
    "before_correction_deadline": before_correction_deadline,
    "document_review_complete": reviews_complete(
        ReviewStage.DOCUMENT_REVIEW,
        lambda ctx: ctx.application.cycle.rules.reviewers_per_application,
    ),
    "site_visit_complete": reviews_complete(
        ReviewStage.SITE_VISIT, lambda ctx: ctx.application.cycle.rules.site_visit_team_size
    ),
    "site_visit_reported": site_visit_reported,
    "consolidated_score_recorded": consolidated_score_recorded,
    "committee_voted_grand": committee_voted("grand"),
    "committee_voted_encouragement": committee_voted("encouragement"),
    "committee_voted_no_award": committee_voted("none"),
}
