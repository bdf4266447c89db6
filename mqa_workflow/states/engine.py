"""Advancing applications: guards, the move, its audit record and its effects.

One call, one database transaction: the new state, the audit record and the
outbox rows of the work the transition causes commit together or not at all.
The source state is checked against the table directly: no ``transitions``
machine is built per application (that library checks the table, ``machine.py``).
Optimistic locking on ``Application.version`` makes the second of two
concurrent advances fail with a :class:`ConflictError` instead of overwriting.

One query loads what the guards need (``loading.py``), taking the application's audit
chain lock on PostgreSQL. A transition whose effects only queue work then takes the
lean path: the audit record is sealed here and one statement writes the move, the
record and the outbox rows (``writing.py``), so a plain transition is two statements
and the commit. Effects that read or change rows (the committee's frozen decision, the
public notice, the correction deadline, the class ranking) run around the ORM's write.
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
from mqa_workflow.clock import now
from mqa_workflow.errors import ConflictError, TransitionRefusedError
from mqa_workflow.states.effects import EFFECTS, EffectContext, Moment, run_effects
from mqa_workflow.states.guards import GUARDS, ApplicationFacts, GuardContext
from mqa_workflow.states.loading import load
from mqa_workflow.states.table import (
    BY_TRIGGER,
    TRANSITIONS,
    TransitionSpec,
    triggers_from,
)
from mqa_workflow.states.writing import chain_end_now, move_and_record
from mqa_workflow.translations.message import Listed, Message, Word, refusal

__all__ = ["ANCHORED_STATES", "CHECKPOINT_TASK", "TransitionResult", "advance",
           "check_table", "is_lean", "unmet_conditions", "waiting_for"]


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
) -> list[Message]:
    """Every reason ``spec`` cannot fire now, empty when it can."""
    return _unmet(GuardContext(session, ApplicationFacts.of(application), actor, reason,
                               data or {}, loaded=application), spec)


def _unmet(context: GuardContext, spec: TransitionSpec) -> list[Message]:
    facts = context.facts
    problems = []
    if facts.state not in spec.sources:
        problems.append(refusal(
            "%(trigger)s applies only from %(sources)s; the application is in %(state)s",
            trigger=Word("trigger", spec.trigger),
            sources=Listed(Word("state", s.value) for s in spec.sources),
            state=Word("state", str(facts.state))))
    problems += _role_problems(facts, spec, context.actor)
    if spec.needs_reason and not context.reason.strip():
        problems.append(refusal("%(trigger)s needs a written reason",
                                trigger=Word("trigger", spec.trigger)))
    for name in spec.guards:
        problems += GUARDS[name](context)
    return problems


def _role_problems(facts: ApplicationFacts, spec: TransitionSpec, actor: User
                   ) -> list[Message]:
    allowed = [role for role in spec.roles if actor.has_role(role)]
    if not allowed:
        refused = role_refusal(actor, *spec.roles, doing=Word("trigger", spec.trigger))
        return [refused.message]
    if allowed == [Role.APPLICANT_CONTACT] and actor.organization_id != facts.organization_id:
        return [refusal("%(email)s is a contact of another organization", email=actor.email)]
    return []


def is_lean(spec: TransitionSpec) -> bool:
    """Every effect only queues work: the move, the record and the rows go in one write."""
    return all(EFFECTS[name].enqueues_only for name in spec.effects)


def advance(
    session: Session,
    application_id: int,
    trigger: str,
    actor: User | int,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> TransitionResult:
    """Fire ``trigger`` on the application inside the caller's transaction.

    ``actor`` is the acting user, or their id (then they are loaded with the
    application, in the same query).
    """
    session.flush()  # the caller's pending changes are what the guards must see
    spec = BY_TRIGGER.get(trigger)
    lean = spec is not None and is_lean(spec)
    loaded = load(session, application_id, spec, actor, lean=lean)
    facts = loaded.facts
    if expected_version is not None and facts.version != expected_version:
        raise ConflictError(refusal(
            "application %(application)s changed since you read it (version %(expected)s, "
            "now %(version)s, state %(state)s); reload and try again",
            application=application_id, expected=expected_version, version=facts.version,
            state=Word("state", str(facts.state))))
    if spec is None:
        raise _unknown(trigger, facts.state)
    context = GuardContext(session, facts, loaded.actor, reason, data or {})
    problems = _unmet(context, spec)
    if problems:
        raise TransitionRefusedError(refusal(
            "cannot %(trigger)s application %(application)s (%(state)s)",
            trigger=Word("trigger", trigger), application=application_id,
            state=Word("state", str(facts.state))), problems)
    if lean:
        assert loaded.end is not None
        return _advance_lean(session, facts, spec, loaded.actor, loaded.end, reason,
                             dict(data or {}))
    return _advance_with_rows(session, context.application, spec, loaded.actor, reason,
                              dict(data or {}))


def _conflict(application_id: int) -> ConflictError:
    return ConflictError(refusal(
        "application %(application)s was changed by someone else at the same time; your "
        "change was not saved, reload and try again", application=application_id))


def _advance_lean(session: Session, facts: ApplicationFacts, spec: TransitionSpec,
                  actor: User, end: audit.ChainEnd, reason: str,
                  data: dict[str, Any]) -> TransitionResult:
    """No effect needs the ORM rows: seal the audit record, collect the queued work,
    and write all of it with the move (``states/writing.py``)."""
    from_state = facts.state
    for _ in range(3):  # a stale chain end is read again; twice in a row is already rare
        at = now()
        record = audit.sealed(session, end, actor=actor.email, trigger=spec.trigger,
                              application_id=facts.id, from_state=str(from_state),
                              to_state=str(spec.dest), reason=reason, data=data, at=at)
        context = EffectContext(session, None, actor, spec, from_state, reason, dict(data),
                                audit_seq=end.next_seq, application_id=facts.id, queued=[])
        run_effects(spec, Moment.AFTER, context)
        assert context.queued is not None
        written = move_and_record(session, application_id=facts.id, version=facts.version,
                                  to_state=spec.dest, record=record, queued=context.queued,
                                  at=at)
        if written.version is not None:
            return TransitionResult(facts.id, spec.trigger, from_state, spec.dest,
                                    end.next_seq, list(spec.tasks))
        if not written.chain_moved:
            raise _conflict(facts.id)
        end = chain_end_now(session, facts.id, end.next_seq)
    raise _conflict(facts.id)


def _advance_with_rows(session: Session, application: Application, spec: TransitionSpec,
                       actor: User, reason: str, data: dict[str, Any]) -> TransitionResult:
    """Effects that read or change the ORM rows: they run around the ORM's own write."""
    application_id = application.id
    from_state = application.state
    context = EffectContext(session, application, actor, spec, from_state, reason, data)
    run_effects(spec, Moment.BEFORE, context)
    try:
        # Any query from here on may autoflush the new state: all of it is the write. The
        # source was checked against the table above; the version column makes a
        # concurrent change of the same application fail here, not overwrite.
        application.state = spec.dest.value
        run_effects(spec, Moment.ON_ENTER, context)
        session.flush()
    except StaleDataError:
        raise _conflict(application_id) from None
    record = audit.append(
        session, actor=actor.email, trigger=spec.trigger, application_id=application_id,
        from_state=from_state, to_state=application.state, reason=reason, data=context.data,
    )
    context.audit_seq = record.seq
    run_effects(spec, Moment.AFTER, context)
    return TransitionResult(application_id, spec.trigger, from_state, application.state,
                            record.seq, list(spec.tasks))


def _unknown(trigger: str, state: str) -> TransitionRefusedError:
    here = [Word("trigger", s.trigger) for s in triggers_from(state)]
    if not here:
        return TransitionRefusedError(refusal(
            "unknown trigger '%(trigger)s'; from %(state)s the triggers are: none",
            trigger=trigger, state=Word("state", str(state))))
    return TransitionRefusedError(refusal(
        "unknown trigger '%(trigger)s'; from %(state)s the triggers are: %(triggers)s",
        trigger=trigger, state=Word("state", str(state)), triggers=Listed(here)))


def waiting_for(session: Session, application: Application, actor: User
                ) -> dict[str, list[Message]]:
    """For each trigger from the current state, what still stands in its way."""
    return {
        spec.trigger: unmet_conditions(session, application, spec, actor, reason="(any)")
        for spec in triggers_from(application.state)
    }
