"""Advancing applications: guards, the transition, its audit record and its tasks.

One call, one database transaction: the new state, the audit record and the
outbox rows of the work the transition causes commit together or not at all.
Optimistic locking on ``Application.version`` makes the second of two
concurrent advances fail with a :class:`ConflictError` instead of overwriting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.audit.checkpoints import TASK as CHECKPOINT_TASK
from mqa_workflow.clock import now, office_today
from mqa_workflow.committee.service import freeze_decision
from mqa_workflow.errors import ConflictError, NotFoundError, TransitionRefusedError
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.procedure.service import notice_calendar, publish_notice
from mqa_workflow.scoring.consolidation import rank_class
from mqa_workflow.shenzhen.calendar import CalendarError
from mqa_workflow.states.guards import GUARDS, GuardContext
from mqa_workflow.states.table import (
    BY_TRIGGER,
    TRANSITIONS,
    ApplicationState,
    TransitionSpec,
    triggers_from,
)

# A committee decision and a public notice anchor the audit trail outside the database.
ANCHORED_STATES = frozenset({ApplicationState.AWARDED_GRAND, ApplicationState.AWARDED_ENCOURAGEMENT,
                             ApplicationState.NOT_AWARDED, ApplicationState.PUBLIC_NOTICE})
_STATES = [state.value for state in ApplicationState]
_MACHINE_TRANSITIONS = [
    {"trigger": spec.trigger, "source": [s.value for s in spec.sources], "dest": spec.dest.value}
    for spec in TRANSITIONS
]


def bind_machine(application: Application) -> Machine:
    """The ``transitions`` machine bound to ``application`` (bound once per instance;
    it reads the state from the mapped ``state`` column, so it never goes stale)."""
    machine = application.__dict__.get("_machine")
    if machine is None:
        machine = Machine(
            model=application,
            states=_STATES,
            transitions=_MACHINE_TRANSITIONS,
            initial=application.state,
            auto_transitions=False,
        )
        application.__dict__["_machine"] = machine
    return machine


@dataclass
class Advance:
    application_id: int
    trigger: str
    from_state: str
    to_state: str
    audit_seq: int
    tasks: list[str] = field(default_factory=list)


def unmet_conditions(
    session: Session,
    application: Application,
    spec: TransitionSpec,
    actor: User,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> list[str]:
    """Every reason ``spec`` cannot fire now, empty when it can."""
    problems = []
    if application.state not in spec.sources:
        problems.append(
            f"{spec.trigger} applies only from {', '.join(s.value for s in spec.sources)}; "
            f"the application is in {application.state}"
        )
    problems += _role_problems(application, spec, actor)
    if spec.needs_reason and not reason.strip():
        problems.append(f"{spec.trigger} needs a written reason")
    context = GuardContext(session, application, actor, reason, data or {})
    for name in spec.guards:
        problems += GUARDS[name](context)
    return problems


def _role_problems(application: Application, spec: TransitionSpec, actor: User) -> list[str]:
    allowed = [role for role in spec.roles if actor.has_role(role)]
    if not allowed:
        from mqa_workflow.permissions import role_refusal  # imported here: no import cycle
        return [role_refusal(actor, *spec.roles, doing=spec.trigger).message]
    if allowed == [Role.APPLICANT_CONTACT] and actor.organization_id != application.organization_id:
        return [f"{actor.email} is a contact of another organization"]
    return []


def advance(
    session: Session,
    application_id: int,
    trigger: str,
    actor: User,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Advance:
    """Fire ``trigger`` on the application inside the caller's transaction."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    if expected_version is not None and application.version != expected_version:
        raise ConflictError(
            f"application {application_id} changed since you read it (version "
            f"{expected_version}, now {application.version}, state {application.state}); "
            "reload and try again"
        )
    spec = _spec(trigger, application)
    problems = unmet_conditions(session, application, spec, actor, reason, data)
    if problems:
        raise TransitionRefusedError(
            f"cannot {trigger} application {application_id} ({application.state})", problems
        )
    from_state = application.state
    data = dict(data or {})
    if spec.decides:  # frozen before the state moves, with the tally the guards just saw
        decision = freeze_decision(session, application, actor, trigger)
        data["decision"] = {"outcome": decision.outcome, "counts": decision.counts,
                            "eligible": decision.eligible, "recused": decision.recused,
                            "notes": decision.notes}
    try:
        # Any query from here on may autoflush the new state: all of it is the write.
        bind_machine(application).model.trigger(trigger)
        _on_enter(session, application, trigger)
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"application {application_id} was changed by someone else at the same time; "
            "your change was not saved, reload and try again"
        ) from None
    record = audit.append(
        session, actor=actor.email, trigger=trigger, application_id=application_id,
        from_state=from_state, to_state=application.state, reason=reason, data=data,
    )
    for task in spec.tasks:
        payload = {"application_id": application_id, "trigger": trigger,
                   "from_state": from_state, "to_state": application.state}
        enqueue(session, task, payload, idempotency_key=f"{task}:{record.seq}")
    if application.state in ANCHORED_STATES:
        # After commit, so the checkpoint never anchors a record that was rolled back.
        enqueue(session, CHECKPOINT_TASK,
                {"reason": f"{trigger} application {application_id} (audit record "
                           f"#{record.seq})"},
                idempotency_key=f"{CHECKPOINT_TASK}:{record.seq}")
    return Advance(application_id, trigger, from_state, application.state, record.seq,
                   list(spec.tasks))


def _spec(trigger: str, application: Application) -> TransitionSpec:
    spec = BY_TRIGGER.get(trigger)
    if spec is None:
        here = ", ".join(s.trigger for s in triggers_from(application.state)) or "none"
        raise TransitionRefusedError(
            f"unknown trigger {trigger!r}; from {application.state} the triggers are: {here}"
        )
    return spec


def _on_enter(session: Session, application: Application, trigger: str) -> None:
    """Data a state carries from the moment it is entered."""
    rules = application.cycle.rules
    if application.state == ApplicationState.RETURNED_FOR_CORRECTION:
        application.correction_due_at = now() + timedelta(days=rules.correction_days)
    elif application.state == ApplicationState.PUBLIC_NOTICE:
        award = trigger.removeprefix("announce_")
        today = office_today()
        try:
            closes_on = notice_calendar(rules.calendar).add_working_days(
                today, rules.notice_working_days)
        except CalendarError as error:
            raise TransitionRefusedError("cannot publish the notice", error.problems) from None
        publish_notice(session, application, award, closes_on)
        application.decided_award = award
    elif application.state == ApplicationState.WITHDRAWN:
        # A withdrawn application leaves the class's ranking at once.
        rank_class(session, application.cycle_id, application.award_class)


def waiting_for(session: Session, application: Application, actor: User) -> dict[str, list[str]]:
    """For each trigger from the current state, what still stands in its way."""
    return {
        spec.trigger: unmet_conditions(session, application, spec, actor, reason="(any)")
        for spec in triggers_from(application.state)
    }
