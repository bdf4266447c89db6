"""Staffing review teams: one optimization per cycle and stage, replacements, declines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import set_cycle_deadline, stage_due_at, update_cycle
from mqa_workflow.errors import ConflictError
from mqa_workflow.reviews.assignment import (
    ApplicationNeed,
    AssignmentResult,
    ReviewerSlot,
    assign_reviewers,
)
from mqa_workflow.reviews.conflict_checks import check_conflicts
from mqa_workflow.reviews.models import (
    ACTIVE,
    REVIEW_STAGES,
    AssignmentStatus,
    ConflictOfInterest,
    PoolReviewer,
    ReviewAssignment,
    ReviewStage,
)

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


def recheck_and_replace(session: Session, application_ids: Sequence[int]) -> list[int]:
    """Check conflicts again; where a reviewer was withdrawn, assign a replacement."""
    lost = check_conflicts(session, application_ids)
    for application_id in lost:
        application = session.get(Application, application_id)
        if application is not None:
            replace_withdrawn(session, application)
    return lost


def set_deadline(session: Session, cycle: AwardCycle, stage: str, day: date) -> int:
    """Move one stage's deadline; open review assignments of that stage follow it (their
    reminders are keyed by deadline, so they remind afresh). Returns how many moved."""
    set_cycle_deadline(session, cycle, stage, day)
    return _follow_deadline(session, cycle, stage)


def edit_cycle(session: Session, cycle: AwardCycle, *, deadlines: Mapping[str, date],
               rules: Mapping[str, Any], actor: str, name: str | None = None
               ) -> dict[str, Any]:
    """The set-up form's save: the cycle's deadlines and rules replaced at once (checked
    as the loader checks a new cycle), the open assignments of every review stage whose
    deadline moved following it, audited. Returns what changed, with ``moved``."""
    changed = update_cycle(session, cycle, deadlines=deadlines, rules=rules, name=name)
    changed["moved"] = sum(_follow_deadline(session, cycle, stage)
                           for stage in changed["deadlines"])
    audit.append(session, actor=actor, trigger="edit_cycle",
                 reason=f"set-up of cycle {cycle.name} changed",
                 data={"cycle": cycle.id, **changed})
    return changed


def _follow_deadline(session: Session, cycle: AwardCycle, stage: str) -> int:
    if stage not in tuple(ReviewStage):  # only review stages have assignments to move
        return 0
    due = stage_due_at(cycle, stage)
    moved = 0
    for assignment in session.scalars(
        select(ReviewAssignment)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.cycle_id == cycle.id, ReviewAssignment.stage == stage,
               ReviewAssignment.status == AssignmentStatus.ASSIGNED)
    ):
        if due is not None:  # a deadline taken away leaves the assignments' own
            assignment.due_at = due
            moved += 1
    session.flush()
    return moved


def assign_waiting(session: Session, application_id: int, stage: ReviewStage) -> None:
    """Staff ``application_id`` at ``stage`` together with every application of its cycle
    waiting there too; a team that stays short is written in the case's history.

    One task per confirmed application, but the first to run staffs every application
    then waiting in one optimization; the others see their own team complete and stop
    at once (one small query, so N tasks cost O(N), not O(N²))."""
    application = session.get(Application, application_id)
    if application is None or application.state != stage.value:
        return
    if not applications_needing_reviewers(session, [application_id], stage):
        return
    waiting = applications_needing_reviewers(
        session, _stage_peers(session, application, stage.value), stage)
    if not waiting:
        return
    result = assign_stage(session, waiting, stage)
    for uncovered in result.uncovered:
        # Visible in the case's history; the stage's guard keeps it from moving on.
        audit.append(session, actor="system", trigger="assign_reviewers",
                     application_id=uncovered.application_id, reason=uncovered.reason,
                     data={"stage": stage.value, "covered": False})


def _stage_peers(session: Session, application: Application, state: str) -> list[int]:
    """Every application of the same cycle now in ``state``: assigned in one solve."""
    return list(session.scalars(select(Application.id).where(
        Application.cycle_id == application.cycle_id, Application.state == state)
        .order_by(Application.id)))
