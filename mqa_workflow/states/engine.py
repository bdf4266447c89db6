"""Advancing applications: guards, the move, its audit record and its effects.

One call, one database transaction: the new state, the audit record and the
outbox rows of the work the transition causes commit together or not at all.
The source state is checked against the table directly: no ``transitions``
machine is built per application (that library checks the table, ``machine.py``).
Optimistic locking on ``Application.version`` makes the second of two
concurrent advances fail with a :class:`ConflictError` instead of overwriting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import role_refusal
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.audit.checkpoints import TASK as CHECKPOINT_TASK
from mqa_workflow.errors import ConflictError, NotFoundError, TransitionRefusedError
from mqa_workflow.states.effects import EFFECTS, EffectContext, Moment, run_effects
from mqa_workflow.states.guards import GUARDS, GuardContext
from mqa_workflow.states.table import (
    BY_TRIGGER,
    TRANSITIONS,
    TransitionSpec,
    triggers_from,
)

__all__ = ["ANCHORED_STATES", "CHECKPOINT_TASK", "TransitionResult", "advance",
           "check_table", "unmet_conditions", "waiting_for"]


def check_table(transitions: tuple[TransitionSpec, ...] = TRANSITIONS) -> list[str]:
    """Every guard and effect the table names exists (checked once, at import)."""
    return [f"{spec.trigger}: unknown {kind} {name!r}"
            for spec in transitions
            for kind, names, known in (("guard", spec.guards, GUARDS),
                                       ("effect", spec.effects, EFFECTS))
            for name in names if name not in known]


if problems := check_table():
    raise RuntimeError("the transition table names what does not exist: " + "; ".join(problems))

# The states whose entering anchors the audit trail: a committee decision, a public notice.
ANCHORED_STATES = frozenset(spec.dest for spec in TRANSITIONS
                            if "anchor_audit_trail" in spec.effects)


@dataclass
class TransitionResult:
    """What one transition did: the move, its audit record and the tasks it queued."""

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
) -> TransitionResult:
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
    context = EffectContext(session, application, actor, spec, from_state, reason,
                            dict(data or {}))
    run_effects(spec, Moment.BEFORE, context)
    try:
        # Any query from here on may autoflush the new state: all of it is the write. The
        # source was checked against the table above; the version column makes a
        # concurrent change of the same application fail here, not overwrite.
        application.state = spec.dest.value
        run_effects(spec, Moment.ON_ENTER, context)
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"application {application_id} was changed by someone else at the same time; "
            "your change was not saved, reload and try again"
        ) from None
    record = audit.append(
        session, actor=actor.email, trigger=trigger, application_id=application_id,
        from_state=from_state, to_state=application.state, reason=reason, data=context.data,
    )
    context.audit_seq = record.seq
    run_effects(spec, Moment.AFTER, context)
    return TransitionResult(application_id, trigger, from_state, application.state, record.seq,
                            list(spec.tasks))


def _spec(trigger: str, application: Application) -> TransitionSpec:
    spec = BY_TRIGGER.get(trigger)
    if spec is None:
        here = ", ".join(s.trigger for s in triggers_from(application.state)) or "none"
        raise TransitionRefusedError(
            f"unknown trigger {trigger!r}; from {application.state} the triggers are: {here}"
        )
    return spec


def waiting_for(session: Session, application: Application, actor: User) -> dict[str, list[str]]:
    """For each trigger from the current state, what still stands in its way."""
    return {
        spec.trigger: unmet_conditions(session, application, spec, actor, reason="(any)")
        for spec in triggers_from(application.state)
    }
