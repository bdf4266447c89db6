"""The review pipeline's domain functions: conflicts, assignment, score sheets, consensus.

Celery tasks and commands call these; none of them knows about Celery or a terminal.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mqa_workflow.accounts.models import User
from mqa_workflow.applicants.service import related_usccs
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import OFFICE_TZ, now
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import ConflictError, InvalidInputError, NotFoundError
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.reviews import conflicts as coi
from mqa_workflow.reviews.assignment import (
    ApplicationNeed,
    AssignmentResult,
    ReviewerSlot,
    assign_reviewers,
)
from mqa_workflow.reviews.models import (
    AssignmentStatus,
    ConflictOfInterest,
    ConsensusSheet,
    PoolReviewer,
    ReviewAssignment,
    ReviewStage,
    ScoreSheet,
)
from mqa_workflow.scoring.sheet import ScoreSheetError, effective_step, score_sheet
from mqa_workflow.standards.loader import load_standard

ACTIVE = (AssignmentStatus.ASSIGNED.value, AssignmentStatus.SUBMITTED.value)


# --- conflicts of interest -------------------------------------------------------------


def _reviewer_profile(member: PoolReviewer, self_declared: frozenset[int]) -> coi.ReviewerProfile:
    return coi.ReviewerProfile(
        reviewer_id=member.user_id,
        name=member.user.name,
        employer_uscc=member.employer_uscc,
        industry=member.industry,
        district=member.district,
        employments=tuple(
            coi.Employment(
                e["uscc"],
                e["name"],
                date.fromisoformat(e["start"]),
                date.fromisoformat(e["end"]) if e.get("end") else None,
            )
            for e in member.employments
        ),
        relationships=tuple(
            coi.DeclaredRelationship(r["uscc"], r["kind"], r.get("note", ""))
            for r in member.relationships
        ),
        self_declared_conflicts=self_declared,
    )


def _applicant_profile(session: Session, application: Application) -> coi.ApplicantProfile:
    org = application.organization
    return coi.ApplicantProfile(
        application.id, org.uscc, org.name, related_usccs(session, org), org.industry, org.district
    )


def check_conflicts(session: Session, application_ids: Sequence[int]) -> list[int]:
    """Record every conflict between the pool and these applications; withdraw conflicted
    reviewers already assigned. Returns the applications that lost a reviewer."""
    index = coi.ConflictIndex.build(
        _reviewer_profile(member, frozenset())
        for member in session.scalars(select(PoolReviewer)))
    today = now().date()
    needing_replacement = []
    for application_id in application_ids:
        application = session.get(Application, application_id)
        if application is None:
            continue
        rules = application.cycle.rules
        coi_rules = coi.ConflictRules(rules.conflict_window_years, rules.competitor_conflicts)
        by_reviewer: dict[int, list[coi.Conflict]] = {}
        for conflict in index.conflicts(_applicant_profile(session, application), coi_rules,
                                        today):
            by_reviewer.setdefault(conflict.reviewer_id, []).append(conflict)
        for reviewer_id, found in by_reviewer.items():
            if _record(session, reviewer_id, application_id, found):
                needing_replacement.append(application_id)
    return sorted(set(needing_replacement))


def applications_needing_reviewers(session: Session, application_ids: Sequence[int],
                                   stage: ReviewStage) -> list[int]:
    """Those of ``application_ids`` whose team at ``stage`` is not complete (one query)."""
    if not application_ids:
        return []
    active = dict(session.execute(
        select(ReviewAssignment.application_id, func.count())
        .where(ReviewAssignment.application_id.in_(application_ids),
               ReviewAssignment.stage == stage.value, ReviewAssignment.status.in_(ACTIVE))
        .group_by(ReviewAssignment.application_id)).all())
    first = session.get(Application, application_ids[0])
    assert first is not None
    needed = first.cycle.rules.team_size(stage.value)
    return [a for a in application_ids if active.get(a, 0) < needed]


def _record(
    session: Session, user_id: int, application_id: int, found: Sequence[coi.Conflict]
) -> bool:
    by_rule: dict[str, list[str]] = {}
    for conflict in found:
        by_rule.setdefault(conflict.rule, []).append(conflict.reason)
    for rule, reasons in by_rule.items():
        exists = session.scalar(
            select(ConflictOfInterest).where(
                ConflictOfInterest.user_id == user_id,
                ConflictOfInterest.application_id == application_id,
                ConflictOfInterest.rule == rule,
            )
        )
        if exists is None:
            session.add(
                ConflictOfInterest(
                    user_id=user_id,
                    application_id=application_id,
                    rule=rule,
                    reason="; ".join(reasons),
                )
            )
    withdrawn = False
    for assignment in session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.reviewer_id == user_id,
            ReviewAssignment.application_id == application_id,
            ReviewAssignment.status == AssignmentStatus.ASSIGNED.value,
        )
    ):
        assignment.status = AssignmentStatus.WITHDRAWN.value
        assignment.status_reason = "conflict of interest found after assignment"
        withdrawn = True
    session.flush()
    return withdrawn


def declare_conflict(session: Session, user: User, application_id: int, reason: str) -> None:
    """The reviewer's own declaration on opening an application."""
    found = [coi.Conflict(user.id, application_id, coi.RULE_SELF_DECLARED, reason)]
    _record(session, user.id, application_id, found)


def is_conflicted(session: Session, user_id: int, application_id: int) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(ConflictOfInterest)
            .where(
                ConflictOfInterest.user_id == user_id,
                ConflictOfInterest.application_id == application_id,
            )
        )
        != 0
    )


# --- assignment ------------------------------------------------------------------------


_ASSIGNMENT_LOCK = 0x4D51_4102  # names the PostgreSQL advisory locks of assignment


def _one_solver_at_a_time(session: Session, cycle_id: int, stage: ReviewStage) -> None:
    """Two workers staffing the same cycle and stage would pick clashing teams; the
    second waits for the first to commit and then sees its assignments (SQLite's single
    writer already serialises this)."""
    if session.get_bind().dialect.name == "postgresql":
        key = cycle_id * 8 + list(ReviewStage).index(stage)
        session.execute(text("SELECT pg_advisory_xact_lock(CAST(:namespace AS integer), "
                             "CAST(:key AS integer))"),
                        {"namespace": _ASSIGNMENT_LOCK, "key": key})


def assign_stage(
    session: Session, application_ids: Sequence[int], stage: ReviewStage
) -> AssignmentResult:
    """Complete the team of every listed application at ``stage`` in one optimization."""
    applications = [a for i in application_ids if (a := session.get(Application, i))]
    if not applications:
        return AssignmentResult((), 0, ())
    _one_solver_at_a_time(session, applications[0].cycle_id, stage)
    needs = [_need(session, application, stage) for application in applications]
    needs = [need for need in needs if need.reviewers_needed > len(need.already_assigned)]
    result = assign_reviewers(
        _slots(session, applications[0].cycle_id),
        needs,
        _excluded(session, [a.id for a in applications]),
    )
    due = stage_due_at(applications[0].cycle, stage.value)
    for assignment in result.assignments:
        session.add(
            ReviewAssignment(
                application_id=assignment.application_id,
                reviewer_id=assignment.reviewer_id,
                stage=stage.value,
                is_leader=assignment.is_leader,
                due_at=due,
            )
        )
    session.flush()
    return result


def stage_due_at(cycle: AwardCycle, stage: str) -> datetime | None:
    """End of the stage's deadline day in Shenzhen, as an aware UTC moment."""
    day = cycle.deadline(stage)
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), OFFICE_TZ).astimezone(UTC)


def _need(session: Session, application: Application, stage: ReviewStage) -> ApplicationNeed:
    k = application.cycle.rules.team_size(stage.value)
    active = session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.stage == stage.value,
            ReviewAssignment.status.in_(ACTIVE),
        )
    ).all()
    return ApplicationNeed(
        application.id,
        application.award_class,
        application.organization.industry,
        k,
        frozenset(a.reviewer_id for a in active),
        needs_leader=not any(a.is_leader for a in active),
    )


def _slots(session: Session, cycle_id: int) -> list[ReviewerSlot]:
    load = dict(
        session.execute(
            select(ReviewAssignment.reviewer_id, func.count())
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(Application.cycle_id == cycle_id, ReviewAssignment.status.in_(ACTIVE))
            .group_by(ReviewAssignment.reviewer_id)
        ).all()
    )
    return [
        ReviewerSlot(
            m.user_id,
            frozenset(m.classes),
            frozenset(m.industries),
            m.capacity,
            load.get(m.user_id, 0),
            m.may_lead,
        )
        for m in session.scalars(select(PoolReviewer).order_by(PoolReviewer.user_id))
    ]


def _excluded(session: Session, application_ids: Sequence[int]) -> set[tuple[int, int]]:
    conflicted = session.execute(
        select(ConflictOfInterest.user_id, ConflictOfInterest.application_id).where(
            ConflictOfInterest.application_id.in_(application_ids)
        )
    )
    declined = session.execute(
        select(ReviewAssignment.reviewer_id, ReviewAssignment.application_id).where(
            ReviewAssignment.application_id.in_(application_ids),
            ReviewAssignment.status.not_in(ACTIVE),
        )
    )
    return {(r, a) for r, a in conflicted} | {(r, a) for r, a in declined}


def decline(session: Session, assignment: ReviewAssignment, reason: str) -> AssignmentResult:
    """A reviewer declines; a replacement is found in the same transaction."""
    if assignment.status != AssignmentStatus.ASSIGNED.value:
        raise ConflictError(
            f"assignment {assignment.id} is {assignment.status}; "
            "only an open assignment can be declined"
        )
    assignment.status = AssignmentStatus.DECLINED.value
    assignment.status_reason = reason
    session.flush()
    return assign_stage(session, [assignment.application_id], ReviewStage(assignment.stage))


# --- score sheets ----------------------------------------------------------------------


def _step(application: Application) -> int | None:
    return application.cycle.rules.percentage_steps.get(application.award_class)


def save_sheet(
    session: Session,
    assignment: ReviewAssignment,
    percentages: Mapping[str, Any],
    comments: Mapping[str, Any] | None = None,
    *,
    submit: bool = False,
) -> ScoreSheet:
    """Save a draft (partial sheets allowed) or submit it (complete, then locked)."""
    if assignment.status not in ACTIVE:
        raise ConflictError(f"assignment {assignment.id} is {assignment.status}")
    sheet = session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))
    if sheet is not None and sheet.status == "submitted":
        raise ConflictError(
            f"the score sheet of assignment {assignment.id} is submitted and locked"
        )
    application = session.get(Application, assignment.application_id)
    assert application is not None
    merged = dict(sheet.percentages if sheet else {}) | dict(percentages)
    _validate(application, merged, complete=submit)
    sheet = sheet or ScoreSheet(assignment_id=assignment.id)
    sheet.percentages = merged
    sheet.comments = dict(sheet.comments or {}) | dict(comments or {})
    if submit:
        sheet.status, sheet.submitted_at = "submitted", now()
        assignment.status = AssignmentStatus.SUBMITTED.value
    session.add(sheet)
    assignment_id = assignment.id  # the failed flush below expires every loaded object
    try:
        session.flush()
    except StaleDataError:  # someone saved this sheet since we read it: theirs stands
        raise ConflictError(f"the score sheet of assignment {assignment_id} was saved "
                            "elsewhere meanwhile; reload it and apply your change again"
                            ) from None
    return sheet


def _validate(application: Application, percentages: Mapping[str, Any], complete: bool) -> None:
    standard = load_standard(application.award_class)
    try:
        if complete:
            score_sheet(standard, percentages, _step(application))
        else:  # a draft: check the values given, not that every item is there
            filled = {i.code: percentages.get(i.code, 0) for i in standard.scored_items()}
            score_sheet(standard, filled | dict(percentages), _step(application))
    except ScoreSheetError as error:
        raise InvalidInputError("the score sheet is refused", error.problems) from None


def submitted_sheets(session: Session, application_id: int, stage: ReviewStage) -> list[ScoreSheet]:
    return list(
        session.scalars(
            select(ScoreSheet)
            .join(ReviewAssignment)
            .where(
                ReviewAssignment.application_id == application_id,
                ReviewAssignment.stage == stage.value,
                ScoreSheet.status == "submitted",
            )
            .order_by(ScoreSheet.id)
        )
    )


# --- consensus -------------------------------------------------------------------------


def spreads(
    session: Session, application: Application, stage: ReviewStage
) -> dict[str, tuple[list[int], int, bool]]:
    """Per item: the reviewers' percentages, their spread, and whether it is flagged."""
    threshold = application.cycle.rules.consensus_threshold
    sheets = submitted_sheets(session, application.id, stage)
    result = {}
    for item in load_standard(application.award_class).scored_items():
        values = [int(sheet.percentages[item.code]) for sheet in sheets]
        spread = max(values) - min(values) if values else 0
        result[item.code] = (values, spread, spread > threshold)
    return result


def record_consensus(
    session: Session,
    application: Application,
    stage: ReviewStage,
    leader: User,
    decisions: Mapping[str, tuple[int, str]],
) -> ConsensusSheet:
    """The team leader's consensus sheet: flagged items need a decision with a rationale;
    the others take the reviewers' median, rounded to the guide's step."""
    leader_assignment = session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.stage == stage.value,
            ReviewAssignment.reviewer_id == leader.id,
            ReviewAssignment.is_leader.is_(True),
            ReviewAssignment.status.in_(ACTIVE),
        )
    )
    if leader_assignment is None:
        raise ConflictError(
            f"{leader.name} does not lead the {stage.value} team of application {application.id}"
        )
    standard = load_standard(application.award_class)
    percentages, flagged, problems = {}, {}, []
    for code, (values, spread, is_flagged) in spreads(session, application, stage).items():
        if not values:
            problems.append(f"item {code}: no submitted score sheet")
        elif is_flagged and code not in decisions:
            problems.append(
                f"item {code}: spread {spread} exceeds the threshold; the leader "
                f"must record the consensus percentage and rationale ({values})"
            )
        elif code in decisions:
            percentages[code], rationale = decisions[code]
            flagged[code] = {"values": values, "spread": spread, "rationale": rationale}
        else:
            guide = standard.guide(standard.item(code).scoring_guide)
            step = effective_step(guide, _step(application))
            percentages[code] = int(step * round(statistics.median(values) / step))
    if problems:
        raise InvalidInputError("cannot record the consensus", problems)
    try:
        breakdown = score_sheet(standard, percentages, _step(application))
    except ScoreSheetError as error:
        raise InvalidInputError("the consensus sheet is refused", error.problems) from None
    sheet = ConsensusSheet(
        application_id=application.id,
        stage=stage.value,
        percentages=percentages,
        flagged=flagged,
        total=Decimal(breakdown.total),
        recorded_by=leader.id,
    )
    session.add(sheet)
    session.flush()
    return sheet


# --- access, site visits, the pool -----------------------------------------------------


def open_application(
    session: Session, user: User, application_id: int, declare: str | None = None
) -> Application:
    """A reviewer opens an application's materials: only when assigned and not conflicted.

    ``declare`` records the reviewer's own conflict declaration instead, which
    withdraws them (the replacement is the caller's next assignment run).
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    if declare:
        declare_conflict(session, user, application_id, declare)
        raise ConflictError(
            f"{user.name} declared a conflict of interest with application "
            f"{application_id}; the materials stay closed"
        )
    if is_conflicted(session, user.id, application_id):
        raise ConflictError(
            f"{user.name} has a conflict of interest with application "
            f"{application_id} and may not open its materials"
        )
    assigned = session.scalar(
        select(func.count())
        .select_from(ReviewAssignment)
        .where(
            ReviewAssignment.application_id == application_id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status.in_(ACTIVE),
        )
    )
    if not assigned:
        raise ConflictError(f"{user.name} is not assigned to application {application_id}")
    return application


def add_pool_reviewer(
    session: Session,
    user: User,
    *,
    classes: Sequence[str],
    industries: Sequence[str],
    capacity: int,
    may_lead: bool,
    employer_uscc: str | None = None,
    industry: str | None = None,
    district: str | None = None,
    employments: Sequence[Mapping[str, Any]] = (),
    relationships: Sequence[Mapping[str, Any]] = (),
) -> PoolReviewer:
    problems = _pool_problems(classes, capacity, employments)
    if problems:
        raise InvalidInputError(f"cannot put {user.name} in the reviewer pool", problems)
    entry = session.get(PoolReviewer, user.id) or PoolReviewer(user_id=user.id)
    entry.classes, entry.industries = list(classes), list(industries)
    entry.capacity, entry.may_lead = capacity, may_lead
    entry.employer_uscc, entry.industry, entry.district = employer_uscc, industry, district
    entry.employments = [dict(e) for e in employments]
    entry.relationships = [dict(r) for r in relationships]
    session.add(entry)
    session.flush()
    # The reviewer's data changed: check their conflicts again in the background.
    enqueue(
        session,
        "reviews.recheck_conflicts",
        {"reviewer_id": user.id},
        f"recheck:reviewer:{user.id}:{now().isoformat()}",
    )
    return entry


def _pool_problems(
    classes: Sequence[str], capacity: int, employments: Sequence[Mapping[str, Any]]
) -> list[str]:
    from mqa_workflow.standards.models import CLASS_IDS

    problems = [f"classes: unknown class {c!r}" for c in classes if c not in CLASS_IDS]
    if not classes:
        problems.append("classes: a reviewer must be qualified for at least one class")
    if capacity < 1:
        problems.append(f"capacity: {capacity} — a reviewer must take at least one review")
    for n, employment in enumerate(employments, start=1):
        try:
            date.fromisoformat(str(employment["start"]))
            if employment.get("end"):
                date.fromisoformat(str(employment["end"]))
        except (KeyError, ValueError):
            problems.append(
                f"employment {n}: needs uscc, name, start (YYYY-MM-DD) and an optional end"
            )
    return problems


def active_application_ids(session: Session) -> list[int]:
    """Applications still in review, whose teams a new conflict could change."""
    return list(
        session.scalars(
            select(Application.id)
            .where(
                Application.state.in_(
                    [
                        "eligibility_check",
                        "document_review",
                        "defence",
                        "site_visit",
                        "social_evaluation",
                        "consolidated_scoring",
                        "committee_decision",
                    ]
                )
            )
            .order_by(Application.id)
        )
    )


def recheck_and_replace(session: Session, application_ids: Sequence[int]) -> list[int]:
    """Check conflicts again; where a reviewer was withdrawn, assign a replacement."""
    lost = check_conflicts(session, application_ids)
    for application_id in lost:
        application = session.get(Application, application_id)
        if application and application.state in ("document_review", "defence", "site_visit"):
            assign_stage(session, [application_id], ReviewStage(application.state))
    return lost
