"""Guards: the preconditions of transitions, each listing every unmet condition.

A guard returns a list of plain sentences; an empty list means it holds. The
table in ``table.py`` names guards by key so the diagram can show them.

Guards read the application's facts (``ApplicationFacts``: its columns and its cycle's
parsed rules, loaded by the engine in one query) and ask the database yes/no or
how-many questions (``EXISTS``, ``COUNT``); the rows behind a refusal are read only to
word it. A guard may put its question into the engine's loading query (``SQL_FACTS``),
so the common case costs no round trip of its own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState, ItemAnswer
from mqa_workflow.clock import OFFICE_TZ, now, office_today
from mqa_workflow.committee.service import tally
from mqa_workflow.cycles.models import CycleRules
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
from mqa_workflow.standards.loader import load_standard, load_standards
from mqa_workflow.translations.message import Listed, Message, Word, refusal

# Every character Python's str.strip() removes: an answer of only these is blank, in SQL
# (trim(text, WHITESPACE)) exactly as in Python.
WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


@lru_cache(maxsize=64)
def rules_from_text(text: str) -> CycleRules:
    """A cycle's rules parsed once per distinct stored text (the text is the key, so a
    changed rule set is parsed afresh and nothing has to be invalidated). Shared: read
    them, never change them."""
    return CycleRules.model_validate_json(text)


def rules_of(data: dict[str, Any]) -> CycleRules:
    return rules_from_text(json.dumps(data, ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class ApplicationFacts:
    """What the guards know of an application: its columns, its cycle's parsed rules and
    deadlines, and the answers to the questions guards put into the loading query."""

    id: int
    cycle_id: int
    award_class: str
    organization_id: int
    state: ApplicationState
    version: int
    correction_due_at: datetime | None
    rules: CycleRules
    deadlines: dict[str, Any]
    profile: str | None = None  # loaded only for the guards that read it
    known: dict[str, Any] = field(default_factory=dict)  # SQL_FACTS, by guard name

    @classmethod
    def of(cls, application: Application) -> ApplicationFacts:
        cycle = application.cycle
        return cls(application.id, application.cycle_id, application.award_class,
                   application.organization_id, application.state, application.version,
                   application.correction_due_at, rules_of(cycle.rules_data),
                   cycle.deadlines, application.profile)

    def deadline(self, stage: str) -> date | None:
        value = self.deadlines.get(stage)
        return date.fromisoformat(value) if value else None


@dataclass
class GuardContext:
    session: Session
    facts: ApplicationFacts
    actor: User
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    loaded: Application | None = None

    @property
    def application(self) -> Application:
        """The ORM row, for the few guards that hand it on (the committee's tally)."""
        if self.loaded is None:
            self.loaded = self.session.get(Application, self.facts.id)
            assert self.loaded is not None
        return self.loaded

    @property
    def rules(self) -> CycleRules:
        return self.facts.rules

    @property
    def today(self) -> date:
        return office_today()


# Each unmet condition is a refusal (translations/message.py): English as a str, read in
# the reader's language on the pages.
Guard = Callable[[GuardContext], list[Message]]


def _answered(application_id: Any, codes: Any) -> ColumnElement[bool]:
    return and_(ItemAnswer.application_id == application_id, codes,
                func.trim(ItemAnswer.text, WHITESPACE) != "")


def _scored_codes_of_its_class(award_class: Any) -> ColumnElement[bool]:
    """item_code is a scored item of the application's class (the standards are data
    read once per process, so their codes are written into the statement)."""
    def quoted(code: str) -> Any:
        return literal_column("'" + code.replace("'", "''") + "'")
    return or_(*(and_(award_class == class_id,
                      ItemAnswer.item_code.in_([quoted(item.code)
                                                for item in standard.scored_items()]))
                 for class_id, standard in load_standards().items()))


def answered_scored_items(applications: Any) -> Any:
    """How many scored items of its class the application has answered (not blank)."""
    return (select(func.count()).where(_answered(
        applications.c.id, _scored_codes_of_its_class(applications.c.award_class)))
        .scalar_subquery())


def application_complete(ctx: GuardContext) -> list[Message]:
    facts = ctx.facts
    standard = load_standard(facts.award_class)
    scored = [item for item in standard.scored_items()]
    problems = []
    profile = facts.profile
    if profile is None:
        profile = ctx.session.scalar(select(Application.profile)
                                     .where(Application.id == facts.id)) or ""
    if not profile.strip():
        problems.append(refusal("the organizational profile (%(profile)s) is blank",
                                profile=standard.profile.name))
    if facts.known.get("application_complete") == len(scored):
        return problems  # every scored item answered: the texts are never read
    answered = set(ctx.session.scalars(select(ItemAnswer.item_code).where(_answered(
        facts.id, ItemAnswer.item_code.in_([item.code for item in scored])))))
    problems += [refusal("item %(code)s %(name)s: no written answer",
                         code=item.code, name=item.name)
                 for item in scored if item.code not in answered]
    return problems


def before_submission_deadline(ctx: GuardContext) -> list[Message]:
    deadline = ctx.facts.deadline("submission")
    if deadline and ctx.today > deadline:
        return [refusal("the submission deadline %(deadline)s has passed",
                        deadline=deadline.isoformat())]
    return []


def before_correction_deadline(ctx: GuardContext) -> list[Message]:
    due: datetime | None = ctx.facts.correction_due_at
    if due and now() > due:
        local = due.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
        return [refusal("the correction (补正) deadline %(deadline)s has passed",
                        deadline=local)]
    return []


def reviews_complete(stage: ReviewStage) -> Guard:
    def guard(ctx: GuardContext) -> list[Message]:
        needed = ctx.rules.team_size(stage.value)
        of_stage = (ReviewAssignment.application_id == ctx.facts.id,
                    ReviewAssignment.stage == stage.value)
        counts: dict[str, int] = dict(ctx.session.execute(  # type: ignore[arg-type]
            select(ReviewAssignment.status, func.count()).where(
                *of_stage, ReviewAssignment.status.in_(
                    [AssignmentStatus.ASSIGNED.value, AssignmentStatus.SUBMITTED.value]))
            .group_by(ReviewAssignment.status)).all())
        assigned = counts.get(AssignmentStatus.ASSIGNED.value, 0)
        problems = []
        named = Word("stage", stage.value)
        if assigned + counts.get(AssignmentStatus.SUBMITTED.value, 0) < needed:
            problems.append(refusal("%(stage)s: %(assigned)s of %(needed)s reviewers are "
                                    "assigned", stage=named, needed=needed,
                                    assigned=assigned + counts.get("submitted", 0)))
        if assigned:  # only a refusal reads who has not submitted
            problems += [
                refusal("%(stage)s: the score sheet of %(name)s (reviewer %(reviewer)s) is "
                        "not submitted", stage=named, name=a.reviewer.name,
                        reviewer=a.reviewer_id)
                for a in ctx.session.scalars(select(ReviewAssignment).where(
                    *of_stage, ReviewAssignment.status == AssignmentStatus.ASSIGNED.value)
                    .order_by(ReviewAssignment.id))
            ]
        return problems

    return guard


def _exists(session: Session, *where: Any) -> bool:
    return bool(session.scalar(select(literal_column("1")).where(*where).limit(1)))


def site_visit_reported(ctx: GuardContext) -> list[Message]:
    reported = ctx.session.execute(select(SiteVisit.reported_at.is_not(None)).where(
        SiteVisit.application_id == ctx.facts.id)).first()
    if reported is None:
        return [refusal("the site visit is not scheduled")]
    return [] if reported[0] else [refusal("the site-visit report is not submitted")]


def consolidated_score_recorded(ctx: GuardContext) -> list[Message]:
    if not _exists(ctx.session, ConsolidatedScore.application_id == ctx.facts.id):
        return [refusal("the consolidated score has not been computed yet")]
    return []


def committee_voted(outcome: str) -> Guard:
    def guard(ctx: GuardContext) -> list[Message]:
        result = tally(ctx.session, ctx.application)
        if result.problems:
            return result.problems
        if result.outcome != outcome:
            return [vote_gives(str(result.outcome), outcome, result.notes)]
        return []

    return guard


def vote_gives(outcome: str, wanted: str, notes: Sequence[str]) -> Message:
    """The committee voted another award than the transition's (why, when a quota)."""
    gives, instead = Word("award", outcome), Word("award", wanted)
    if notes:
        return refusal("the committee's vote gives '%(outcome)s', not '%(wanted)s' "
                       "(%(notes)s)", outcome=gives, wanted=instead,
                       notes=Listed(notes, "; "))
    return refusal("the committee's vote gives '%(outcome)s', not '%(wanted)s'",
                   outcome=gives, wanted=instead)


def uses_stage(stage: str, wanted: bool) -> Guard:
    """The cycle's rules pick the Shenzhen procedure's optional stage or the plain path."""

    def guard(ctx: GuardContext) -> list[Message]:
        if ctx.rules.uses(stage) == wanted:
            return []
        if wanted:
            return [refusal("this cycle does not run the %(stage)s stage",
                            stage=Word("stage", stage))]
        return [refusal("this cycle runs the %(stage)s stage", stage=Word("stage", stage))]

    return guard


def eligibility_settled(ctx: GuardContext) -> list[Message]:
    """With eligibility rules, the automatic check must have run; confirming against a
    failed or incomplete check is an override and needs a written reason."""
    if not ctx.rules.eligibility:
        return []
    review = ctx.session.execute(select(EligibilityReview.passed).where(
        EligibilityReview.application_id == ctx.facts.id)).first()
    if review is None:
        return [refusal("the eligibility check has not been run (mqa eligibility check)")]
    passed = review[0]
    if passed is not True and not ctx.reason.strip():
        if passed is False:
            return [refusal("the eligibility check failed; confirming anyway is an override "
                            "and needs a written reason")]
        return [refusal("the eligibility check is incomplete; confirming anyway is an "
                        "override and needs a written reason")]
    return []


def defence_complete(ctx: GuardContext) -> list[Message]:
    problems = reviews_complete(ReviewStage.DEFENCE)(ctx)
    if not _exists(ctx.session, DefenceSlot.application_id == ctx.facts.id):
        problems.insert(0, refusal("no defence slot is scheduled"))
    if not _exists(ctx.session, ConsensusSheet.application_id == ctx.facts.id,
                   ConsensusSheet.stage == ReviewStage.DEFENCE.value):
        problems.append(refusal("the defence panel's consensus score is not recorded"))
    return problems


def social_evaluation_recorded(ctx: GuardContext) -> list[Message]:
    if not _exists(ctx.session, SocialEvaluation.application_id == ctx.facts.id):
        return [refusal("the social evaluation (社会评价) result is not recorded")]
    return []


def candidate_decision(selected: bool) -> Guard:
    def guard(ctx: GuardContext) -> list[Message]:
        if ctx.rules.candidates_per_class is None:
            return [] if selected else [
                refusal("this cycle runs no competitive selection (差额选拔)")]
        decision = ctx.session.execute(
            select(CandidateDecision.selected, CandidateDecision.reason)
            .where(CandidateDecision.application_id == ctx.facts.id)).first()
        if decision is None:
            return [refusal("the candidate list of this class is not drawn yet "
                            "(mqa candidates select)")]
        if decision.selected != selected:
            return [refusal("the candidate list says otherwise: %(reason)s",
                            reason=decision.reason)]
        return []

    return guard


def notice_closed_clear(ctx: GuardContext) -> list[Message]:
    closes_on = ctx.session.scalar(select(PublicNotice.closes_on).where(
        PublicNotice.application_id == ctx.facts.id))
    if closes_on is None:
        return [refusal("no public notice (公示) was published")]
    problems = []
    if ctx.today <= closes_on:
        problems.append(refusal("the public notice runs until %(closes_on)s",
                                closes_on=closes_on.isoformat()))
    open_ones = ctx.session.scalars(select(Objection.id).where(
        Objection.application_id == ctx.facts.id,
        Objection.status.in_(["open", "upheld"]))).all()
    problems += [refusal("objection %(objection)s is open or upheld", objection=oid)
                 for oid in open_ones]
    return problems


def proposed(award: str) -> Guard:
    def guard(ctx: GuardContext) -> list[Message]:
        proposal = ctx.session.execute(select(PublicNotice.proposed_award).where(
            PublicNotice.application_id == ctx.facts.id)).first()
        if proposal is not None and proposal[0] != award:
            return [refusal("the notice proposed the %(proposed)s award, not %(award)s",
                            proposed=Word("award", proposal[0]), award=Word("award", award))]
        return []

    return guard


def objection_upheld(ctx: GuardContext) -> list[Message]:
    upheld = _exists(ctx.session, Objection.application_id == ctx.facts.id,
                     Objection.status == "upheld")
    return [] if upheld else [refusal("no objection against this application has been upheld")]


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

# Guards whose question the engine asks in its loading query: name -> the column (given
# the applications table), whose value the guard finds in ``facts.known[name]``.
SQL_FACTS: dict[str, Callable[[Any], Any]] = {
    "application_complete": answered_scored_items,
}
# Guards that read the application's profile text (loaded with it only for them).
READS_PROFILE = frozenset({"application_complete"})
