"""Effects: what a transition does besides moving the state, each a named rule.

The table (``table.py``) lists each transition's effects by name, as it lists its guards,
and the engine runs them in one transaction with the move. Like Prefect's orchestration
rules (hooks before and after a transition), each effect runs at one moment:

- ``BEFORE``: the guards hold and the state has not moved yet. The effect may add to the
  audit record's data (the committee's decision is frozen with the tally the guards saw).
- ``ON_ENTER``: the state has moved in the session, not yet flushed: the data the new state
  carries from the moment it is entered. A refusal here undoes the whole transition.
- ``AFTER``: the audit record's sequence number is known. Work queued in the outbox is
  keyed on it, so it commits with the transition and runs once.

An effect that only queues work (``enqueues_only``) needs neither the application's ORM
row nor the audit record's row: a transition whose effects are all such runs on the
engine's lean path, where the state move, the audit record and the queued rows are
written by one statement (``states/writing.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.checkpoints import TASK as CHECKPOINT_TASK
from mqa_workflow.clock import now, office_today
from mqa_workflow.committee.service import freeze_decision
from mqa_workflow.errors import TransitionRefusedError
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.procedure.calendar import CalendarError
from mqa_workflow.procedure.service import notice_calendar, publish_notice
from mqa_workflow.scoring.consolidation import rank_class
from mqa_workflow.states.guards import rules_of
from mqa_workflow.states.table import QUEUED_TASKS, TransitionSpec
from mqa_workflow.translations.message import refusal


class Moment(StrEnum):
    BEFORE = "before"
    ON_ENTER = "on_enter"
    AFTER = "after"


@dataclass(frozen=True)
class QueuedTask:
    """Work an effect queued on the lean path, written with the transition's statement."""

    task: str
    payload: dict[str, Any]
    idempotency_key: str


@dataclass
class EffectContext:
    session: Session
    loaded: Application | None  # the ORM row; None on the lean path until asked for
    actor: User
    spec: TransitionSpec
    from_state: str
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # the audit record's data
    audit_seq: int | None = None  # known from the AFTER moment on
    application_id: int = 0  # taken from ``loaded`` when that is given
    queued: list[QueuedTask] | None = None  # the lean path collects the outbox rows here

    def __post_init__(self) -> None:
        if self.loaded is not None:
            self.application_id = self.loaded.id

    @property
    def application(self) -> Application:
        if self.loaded is None:
            self.loaded = self.session.get(Application, self.application_id)
            assert self.loaded is not None
        return self.loaded

    @property
    def trigger(self) -> str:
        return self.spec.trigger

    @property
    def to_state(self) -> str:
        # The ORM row's state once it has moved; on the lean path, the table's destination.
        return self.loaded.state if self.loaded is not None else self.spec.dest

    def transition_payload(self) -> dict[str, Any]:
        """What every task queued by a transition is told: which move it follows."""
        return {"application_id": self.application_id, "trigger": self.trigger,
                "from_state": self.from_state, "to_state": self.to_state}

    def enqueue(self, task: str, payload: dict[str, Any]) -> None:
        # Keyed on the audit record: a retried transaction can never queue the work twice.
        key = f"{task}:{self.audit_seq}"
        if self.queued is not None:
            self.queued.append(QueuedTask(task, payload, key))
        else:
            enqueue(self.session, task, payload, idempotency_key=key)


@dataclass(frozen=True)
class Effect:
    moment: Moment
    run: Callable[[EffectContext], None]
    # Only calls ``ctx.enqueue`` (AFTER): the transition may take the engine's lean path.
    enqueues_only: bool = False


# --- before the state moves -------------------------------------------------------------


def freeze_committee_decision(ctx: EffectContext) -> None:
    """The committee's decision is frozen before the state moves, with the tally the guards
    just saw, and the audit record carries it."""
    decision = freeze_decision(ctx.session, ctx.application, ctx.actor, ctx.trigger)
    ctx.data["decision"] = {"outcome": decision.outcome, "counts": decision.counts,
                            "eligible": decision.eligible, "recused": decision.recused,
                            "notes": decision.notes}


# --- on entering the new state ----------------------------------------------------------


def set_correction_deadline(ctx: EffectContext) -> None:
    """Returned for correction (补正): the applicant has the cycle's correction days."""
    days = rules_of(ctx.application.cycle.rules_data).correction_days
    ctx.application.correction_due_at = now() + timedelta(days=days)


def publish_notice_proposing(award: str) -> Callable[[EffectContext], None]:
    def effect(ctx: EffectContext) -> None:
        """The public notice (公示) opens today and closes after the cycle's working days."""
        rules = rules_of(ctx.application.cycle.rules_data)
        try:
            closes_on = notice_calendar(rules.calendar).add_working_days(
                office_today(), rules.notice_working_days)
        except CalendarError as error:
            raise TransitionRefusedError(refusal("cannot publish the notice"), error.problems
                                         ) from None
        publish_notice(ctx.session, ctx.application, award, closes_on)
        ctx.application.decided_award = award

    return effect


def leave_class_ranking(ctx: EffectContext) -> None:
    """A withdrawn application leaves its class's ranking at once."""
    rank_class(ctx.session, ctx.application.cycle_id, ctx.application.award_class)


# --- after the audit record -------------------------------------------------------------


def queue(task: str) -> Callable[[EffectContext], None]:
    def effect(ctx: EffectContext) -> None:
        ctx.enqueue(task, ctx.transition_payload())

    return effect


def notify_applicant(ctx: EffectContext) -> None:
    """The applicant's contacts are told of the move, with the reason only when the reason
    is written for them (the transitions that ask for one); others may be the office's
    internal notes on votes or people."""
    ctx.enqueue(QUEUED_TASKS["notify_applicant"],
                ctx.transition_payload() | {"reason_for_applicant": ctx.spec.needs_reason})


def anchor_audit_trail(ctx: EffectContext) -> None:
    """A checkpoint of the audit trail is anchored outside the database — after commit, so
    it never anchors a record that was rolled back."""
    ctx.enqueue(CHECKPOINT_TASK,
                {"reason": f"{ctx.trigger} application {ctx.application_id} (audit record "
                           f"#{ctx.audit_seq})"})


EFFECTS: dict[str, Effect] = {
    "freeze_committee_decision": Effect(Moment.BEFORE, freeze_committee_decision),
    "set_correction_deadline": Effect(Moment.ON_ENTER, set_correction_deadline),
    "publish_notice_proposing_grand": Effect(Moment.ON_ENTER, publish_notice_proposing("grand")),
    "publish_notice_proposing_encouragement": Effect(
        Moment.ON_ENTER, publish_notice_proposing("encouragement")),
    "leave_class_ranking": Effect(Moment.ON_ENTER, leave_class_ranking),
    **{name: Effect(Moment.AFTER, queue(task), enqueues_only=True)
       for name, task in QUEUED_TASKS.items()},
    "notify_applicant": Effect(Moment.AFTER, notify_applicant, enqueues_only=True),
    "anchor_audit_trail": Effect(Moment.AFTER, anchor_audit_trail, enqueues_only=True),
}


def run_effects(spec: TransitionSpec, moment: Moment, ctx: EffectContext) -> None:
    """Run the effects of ``spec`` due at ``moment``, in the order the table lists them."""
    for name in spec.effects:
        effect = EFFECTS[name]
        if effect.moment == moment:
            effect.run(ctx)
