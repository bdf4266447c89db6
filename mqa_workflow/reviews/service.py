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
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import related_usccs
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.vocabulary import IN_REVIEW_STATES
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import OFFICE_TZ, now, office_today
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TransitionRefusedError,
)
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
    ConflictProfile,
    ConsensusSheet,
    NoConflictStatement,
    PoolReviewer,
    ReviewAssignment,
    ReviewStage,
    ScoreSheet,
    SheetStatus,
)
from mqa_workflow.scoring.sheet import ScoreSheetError, effective_step, score_sheet
from mqa_workflow.standards.loader import load_standard

ACTIVE = (AssignmentStatus.ASSIGNED.value, AssignmentStatus.SUBMITTED.value)


# --- conflicts of interest -------------------------------------------------------------

REVIEW_STAGES = tuple(stage.value for stage in ReviewStage)


def person_profile(profile: ConflictProfile) -> coi.ReviewerProfile:
    """The rules' view of one person's stored conflict profile."""
    return coi.ReviewerProfile(
        reviewer_id=profile.user_id,
        name=profile.user.name,
        employer_uscc=profile.employer_uscc,
        industry=profile.industry,
        district=profile.district,
        employments=tuple(
            coi.Employment(e["uscc"], e["name"], date.fromisoformat(e["start"]), _day(e.get("end")))
            for e in profile.employments
        ),
        relationships=tuple(
            coi.DeclaredRelationship(r["uscc"], r["kind"], r.get("note", ""))
            for r in profile.relationships
        ),
        engagements=tuple(
            coi.Engagement(w["uscc"], w["name"], w["kind"], date.fromisoformat(w["start"]),
                           _day(w.get("end")))
            for w in profile.engagements
        ),
        shareholdings=tuple(
            coi.Shareholding(h["uscc"], h["name"], h.get("share", ""))
            for h in profile.shareholdings
        ),
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _applicant_profile(session: Session, application: Application,
                       groups: Mapping[str, frozenset[str]] | None = None
                       ) -> coi.ApplicantProfile:
    org = application.organization
    related = groups[org.uscc] if groups is not None else related_usccs(session, org)
    return coi.ApplicantProfile(
        application.id, org.uscc, org.name, related, org.industry, org.district
    )


def _related_groups(session: Session) -> dict[str, frozenset[str]]:
    """Every organization's parent and subsidiaries, from one query (checking many
    applications then costs no query per application)."""
    links: dict[str, set[str]] = {}
    for uscc, parent in session.execute(select(Organization.uscc, Organization.parent_uscc)):
        links.setdefault(uscc, set())
        if parent:
            links[uscc].add(parent)
            links.setdefault(parent, set()).add(uscc)
    return {uscc: frozenset(related) for uscc, related in links.items()}


def _rules(application: Application) -> coi.ConflictRules:
    rules = application.cycle.rules
    return coi.ConflictRules(rules.conflict_window_years, rules.competitor_conflicts)


def check_conflicts(session: Session, application_ids: Sequence[int],
                    people: Sequence[int] | None = None) -> list[int]:
    """Record every conflict between the people with a conflict profile (pool reviewers
    and committee members alike; only ``people`` when given) and these applications, and
    withdraw the conflicted from their teams. Returns the applications that lost a
    reviewer."""
    query = select(ConflictProfile).options(joinedload(ConflictProfile.user))
    if people is not None:
        query = query.where(ConflictProfile.user_id.in_(people))
    index = coi.ConflictIndex.build(person_profile(p) for p in session.scalars(query))
    today = office_today()
    groups = _related_groups(session) if len(application_ids) > 1 else None
    needing_replacement = []
    for application in _with_organizations(session, application_ids):
        application_id = application.id
        by_person: dict[int, list[coi.Conflict]] = {}
        for conflict in index.conflicts(_applicant_profile(session, application, groups),
                                        _rules(application), today):
            by_person.setdefault(conflict.reviewer_id, []).append(conflict)
        for user_id, found in by_person.items():
            if _record(session, user_id, application, found, actor="system"):
                needing_replacement.append(application_id)
    return sorted(set(needing_replacement))


def _with_organizations(session: Session, application_ids: Sequence[int]
                        ) -> list[Application]:
    """The applications with their organizations and cycles, a few queries for all (a
    check of one person against a whole cycle used to load them one by one)."""
    found: list[Application] = []
    ids = list(dict.fromkeys(application_ids))
    for start in range(0, len(ids), 500):  # keep the IN list within every backend's limit
        found += session.scalars(
            select(Application).where(Application.id.in_(ids[start:start + 500]))
            .options(joinedload(Application.organization), joinedload(Application.cycle))
            .order_by(Application.id)).unique()
    return found


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


def _record(session: Session, user_id: int, application: Application,
            found: Sequence[coi.Conflict], *, actor: str) -> bool:
    """Store the conflicts not yet known (audited) and withdraw the person from the
    application's teams. True when an assignment was withdrawn."""
    by_rule: dict[str, list[str]] = {}
    for conflict in found:
        by_rule.setdefault(conflict.rule, []).append(conflict.reason)
    for rule, reasons in by_rule.items():
        exists = session.scalar(
            select(ConflictOfInterest).where(
                ConflictOfInterest.user_id == user_id,
                ConflictOfInterest.application_id == application.id,
                ConflictOfInterest.rule == rule,
            )
        )
        if exists is None:
            session.add(ConflictOfInterest(user_id=user_id, application_id=application.id,
                                           rule=rule, reason="; ".join(reasons)))
            # The reason names the organization, never the person: applicants read history.
            audit.append(session, actor=actor, trigger="conflict_of_interest",
                         application_id=application.id, reason="; ".join(reasons),
                         data={"person": user_id, "rule": rule})
    return _withdraw(session, user_id, application, f"conflict of interest ({', '.join(by_rule)})")


def _withdraw(session: Session, user_id: int, application: Application, reason: str) -> bool:
    """Withdraw the person from every team of the application: open assignments always,
    submitted ones while their stage's consensus is not yet recorded (a closed stage's
    record stands). True when any was withdrawn."""
    closed = set(session.scalars(select(ConsensusSheet.stage).where(
        ConsensusSheet.application_id == application.id)))
    withdrawn = False
    for assignment in session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.reviewer_id == user_id,
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.status.in_(ACTIVE),
        )
    ):
        if assignment.status == AssignmentStatus.SUBMITTED.value and assignment.stage in closed:
            continue
        assignment.status = AssignmentStatus.WITHDRAWN.value
        assignment.status_reason = reason
        withdrawn = True
    session.flush()
    return withdrawn


def replace_withdrawn(session: Session, application: Application,
                      actor: str = "system") -> AssignmentResult | None:
    """Complete the application's team at its current review stage at once; an
    application that cannot be covered is listed with the reason in its history, as the
    assignment task does. None when the application is not in a review stage."""
    if application.state not in REVIEW_STAGES:
        return None
    stage = ReviewStage(application.state)
    result = assign_stage(session, [application.id], stage)
    for uncovered in result.uncovered:
        audit.append(session, actor=actor, trigger="assign_reviewers",
                     application_id=uncovered.application_id, reason=uncovered.reason,
                     data={"stage": stage.value, "covered": False})
    return result


def declare_conflict(session: Session, user: User, application_id: int,
                     reason: str) -> AssignmentResult | None:
    """A person's own declaration of a conflict (回避申报) with an application: stored
    with its reason and time, audited, the person withdrawn from every team of the
    application and replaced at once (or the application listed as uncovered).

    A committee member declares the same way and is recused from the vote."""
    if not (user.has_role(Role.REVIEWER) or user.has_role(Role.COMMITTEE_MEMBER)):
        raise TransitionRefusedError(
            f"{user.email} neither reviews nor votes, so has no conflict to declare")
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("a conflict declaration needs its reason")
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    already = session.scalar(select(ConflictOfInterest.id).where(
        ConflictOfInterest.user_id == user.id, ConflictOfInterest.application_id == application_id,
        ConflictOfInterest.rule == coi.RULE_SELF_DECLARED))
    if already is not None:
        raise ConflictError(f"{user.name} has already declared a conflict with application "
                            f"{application_id}")
    session.add(ConflictOfInterest(user_id=user.id, application_id=application_id,
                                   rule=coi.RULE_SELF_DECLARED, reason=reason))
    audit.append(session, actor=user.email, trigger="declare_conflict",
                 application_id=application_id, reason=reason,
                 data={"person": user.id, "rule": coi.RULE_SELF_DECLARED})
    _withdraw(session, user.id, application, f"declared a conflict of interest: {reason}")
    return replace_withdrawn(session, application, actor=user.email)


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


# --- the no-conflict statement (回避承诺) -------------------------------------------------


def no_conflict_statement(application: Application) -> str:
    """The statement a reviewer confirms for one application, Chinese first."""
    org = application.organization
    return (
        f"本人承诺：本人与申报单位{org.name}（统一社会信用代码 {org.uscc}）及其上级、下属单位"
        "之间不存在任职（含近三年内任职）、亲属或其他利害关系、咨询或辅导服务、持股、同业竞争"
        "等可能影响公正评审的利益冲突；评审中如发现，立即申报回避；对申报材料保密。"
        f"\nI declare that I have no conflict of interest with {org.name} ({org.uscc}) or its "
        "parent or subsidiaries — no employment within the window, relationship, consulting "
        "or coaching, shareholding or competing business — that could affect a fair review; "
        "I will declare one at once if it arises, and keep the materials confidential."
    )


def statement_of(session: Session, user_id: int, application_id: int
                 ) -> NoConflictStatement | None:
    return session.scalar(select(NoConflictStatement).where(
        NoConflictStatement.user_id == user_id,
        NoConflictStatement.application_id == application_id))


def confirm_no_conflict(session: Session, user: User, application_id: int
                        ) -> NoConflictStatement:
    """The reviewer confirms the no-conflict statement for one application (stored with
    its exact text, audited; confirming again changes nothing)."""
    application = _assigned_and_free(session, user, application_id)
    existing = statement_of(session, user.id, application_id)
    if existing is not None:
        return existing
    confirmed = NoConflictStatement(user_id=user.id, application_id=application_id,
                                    statement=no_conflict_statement(application))
    session.add(confirmed)
    audit.append(session, actor=user.email, trigger="confirm_no_conflict",
                 application_id=application_id, reason="回避承诺 confirmed",
                 data={"person": user.id})
    session.flush()
    return confirmed


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
    # Conflicts are recorded (and the conflicted withdrawn) before anyone is picked.
    check_conflicts(session, [a.id for a in applications])
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
    if sheet is not None and sheet.status == SheetStatus.SUBMITTED:
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
        sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, now()
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
                # a reviewer withdrawn for a conflict no longer counts
                ReviewAssignment.status.in_(ACTIVE),
                ScoreSheet.status == SheetStatus.SUBMITTED,
            )
            .order_by(ScoreSheet.id)
        )
    )


def sheet_progress(session: Session, application_id: int, stage: str) -> tuple[int, int]:
    """(k, n): k of the stage team's n active reviewers have submitted their sheet."""
    statuses = list(session.scalars(select(ReviewAssignment.status).where(
        ReviewAssignment.application_id == application_id, ReviewAssignment.stage == stage,
        ReviewAssignment.status.in_(ACTIVE))))
    return statuses.count(AssignmentStatus.SUBMITTED.value), len(statuses)


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
    if leader_assignment.status != AssignmentStatus.SUBMITTED.value:
        # Independent scoring: the leader sees the others' percentages only after scoring.
        raise ConflictError(f"{leader.name} must submit their own {stage.value} score sheet "
                            "before recording the consensus")
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


class StatementMissingError(ConflictError):
    """The reviewer has not yet confirmed the no-conflict statement for the application."""


def _assigned_and_free(session: Session, user: User, application_id: int) -> Application:
    """The application, if ``user`` is on one of its teams and not conflicted with it."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
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


def may_review(session: Session, user: User, application_id: int) -> Application:
    """Assigned and not conflicted: the reviewer may see the task and the statement."""
    return _assigned_and_free(session, user, application_id)


def open_application(session: Session, user: User, application_id: int) -> Application:
    """A reviewer opens an application's materials: only when assigned, not conflicted,
    and after confirming the no-conflict statement (回避承诺) for it."""
    application = _assigned_and_free(session, user, application_id)
    if statement_of(session, user.id, application_id) is None:
        raise StatementMissingError(
            f"{user.name} has not confirmed the no-conflict statement (回避承诺) for "
            f"application {application_id}; confirm it first "
            f"(`mqa review confirm {application_id}` or the score sheet page)"
        )
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
    employments: Sequence[Mapping[str, Any]] | None = None,
    relationships: Sequence[Mapping[str, Any]] | None = None,
    actor: str = "system",
) -> PoolReviewer:
    """Put a person in the pool (or update their entry). Conflict data given here updates
    their conflict profile (what is not given stays as it was), checked at once."""
    from mqa_workflow.reviews.profiles import ProfileData, get_profile, set_conflict_profile

    problems = _pool_problems(classes, capacity)
    if problems:
        raise InvalidInputError(f"cannot put {user.name} in the reviewer pool", problems)
    entry = session.get(PoolReviewer, user.id) or PoolReviewer(user_id=user.id)
    entry.classes, entry.industries = list(classes), list(industries)
    entry.capacity, entry.may_lead = capacity, may_lead
    session.add(entry)
    session.flush()
    given = {"employer_uscc": employer_uscc, "industry": industry, "district": district,
             "employments": None if employments is None else [dict(e) for e in employments],
             "relationships": None if relationships is None else [dict(r) for r in relationships]}
    changes = {name: value for name, value in given.items() if value is not None}
    if changes:
        data = get_profile(session, user).as_dict() | changes
        set_conflict_profile(session, user, ProfileData(**data), actor=actor)
    return entry


def _pool_problems(classes: Sequence[str], capacity: int) -> list[str]:
    from mqa_workflow.standards.models import CLASS_IDS

    problems = [f"classes: unknown class {c!r}" for c in classes if c not in CLASS_IDS]
    if not classes:
        problems.append("classes: a reviewer must be qualified for at least one class")
    if capacity < 1:
        problems.append(f"capacity: {capacity} — a reviewer must take at least one review")
    return problems


def active_application_ids(session: Session) -> list[int]:
    """Applications still in review, whose teams a new conflict could change."""
    return list(
        session.scalars(
            select(Application.id)
            .where(
                Application.state.in_(IN_REVIEW_STATES)
            )
            .order_by(Application.id)
        )
    )


def recheck_and_replace(session: Session, application_ids: Sequence[int]) -> list[int]:
    """Check conflicts again; where a reviewer was withdrawn, assign a replacement."""
    lost = check_conflicts(session, application_ids)
    for application_id in lost:
        application = session.get(Application, application_id)
        if application is not None:
            replace_withdrawn(session, application)
    return lost
