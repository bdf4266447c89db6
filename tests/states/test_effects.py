"""Transition effects (states/effects.py), each on its own; then how the engine runs them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.checkpoints import TASK as CHECKPOINT_TASK
from mqa_workflow.clock import set_clock
from mqa_workflow.committee.models import CommitteeDecision
from mqa_workflow.committee.service import cast_vote
from mqa_workflow.db import Database
from mqa_workflow.errors import TransitionRefusedError
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.procedure.models import PublicNotice
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.states.effects import EFFECTS, Effect, EffectContext, Moment
from mqa_workflow.states.engine import ANCHORED_STATES, advance, check_table
from mqa_workflow.states.machine import disagreements
from mqa_workflow.states.table import BY_TRIGGER, QUEUED_TASKS, ApplicationState, TransitionSpec
from tests import factories

MONDAY = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen


def _context(session: Session, application: Application, trigger: str,
             audit_seq: int | None = None) -> EffectContext:
    spec = BY_TRIGGER[trigger]
    return EffectContext(session, application, factories.user(session, Role.ADMINISTRATOR),
                         spec, application.state, reason="依据评审规则", audit_seq=audit_seq)


def _run(name: str, ctx: EffectContext) -> None:
    EFFECTS[name].run(ctx)
    ctx.session.flush()


def _queued(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# --- before the state moves ---------------------------------------------------------------


def test_freezing_the_decision_stores_the_committee_tally_and_hands_it_to_the_audit_record(
    sqlite_database: Database,
) -> None:
    with sqlite_database.session() as session:
        application = factories.application(session, state="committee_decision")
        members = [factories.user(session, Role.COMMITTEE_MEMBER) for _ in range(3)]
        for member in members[:2]:
            cast_vote(session, application, member, "grand")
        ctx = _context(session, application, "award_grand")
        _run("freeze_committee_decision", ctx)
        stored = session.get(CommitteeDecision, application.id)
        assert stored is not None
        assert (stored.outcome, stored.trigger) == ("grand", "award_grand")
        assert ctx.data["decision"]["outcome"] == "grand"
        assert ctx.data["decision"]["counts"] == stored.counts
        assert EFFECTS["freeze_committee_decision"].moment == Moment.BEFORE


# --- on entering the new state ------------------------------------------------------------


def test_returning_for_correction_gives_the_applicant_the_cycles_correction_days(
    sqlite_database: Database,
) -> None:
    set_clock(lambda: MONDAY)
    with sqlite_database.session() as session:
        cycle = factories.cycle(session, {"correction_days": 7})
        application = factories.application(session, state="returned_for_correction",
                                            award_cycle=cycle)
        _run("set_correction_deadline", _context(session, application, "return_for_correction"))
        assert application.correction_due_at == MONDAY + timedelta(days=7)


@pytest.mark.parametrize("award", ["grand", "encouragement"])
def test_announcing_publishes_a_notice_proposing_the_award_for_the_working_days(
    sqlite_database: Database, award: str,
) -> None:
    set_clock(lambda: MONDAY)
    with sqlite_database.session() as session:
        application = factories.application(session, state="public_notice")
        _run(f"publish_notice_proposing_{award}",
             _context(session, application, f"announce_{award}"))
        notice = session.get(PublicNotice, application.id)
        assert notice is not None
        # five working days from Monday 1 June 2026: Monday 8 June
        assert (notice.proposed_award, notice.published_on, notice.closes_on) == (
            award, date(2026, 6, 1), date(2026, 6, 8))
        assert application.decided_award == award


def test_a_notice_the_calendar_cannot_count_refuses_the_transition(
    sqlite_database: Database,
) -> None:
    set_clock(lambda: datetime(2041, 6, 3, 2, 0, tzinfo=UTC))  # no published calendar yet
    with sqlite_database.session() as session:
        application = factories.application(session, state="public_notice")
        with pytest.raises(TransitionRefusedError, match="cannot publish the notice"):
            _run("publish_notice_proposing_grand",
                 _context(session, application, "announce_grand"))
        assert session.get(PublicNotice, application.id) is None


def test_a_withdrawn_application_leaves_its_class_ranking_at_once(
    sqlite_database: Database,
) -> None:
    with sqlite_database.session() as session:
        cycle = factories.cycle(session)
        first, second = (factories.application(session, state="consolidated_scoring",
                                               award_cycle=cycle) for _ in range(2))
        for rank, application in enumerate((first, second), start=1):
            session.add(ConsolidatedScore(
                application_id=application.id, total=Decimal(410 - 10 * rank),
                document_review_total=Decimal("390"), site_visit_total=Decimal("400"),
                breakdown={"results": 100}, weights={}, rank=rank))
        first.state = "withdrawn"
        session.flush()
        _run("leave_class_ranking", _context(session, first, "withdraw"))
        assert session.get(ConsolidatedScore, first.id).rank is None
        assert session.get(ConsolidatedScore, second.id).rank == 1


# --- after the audit record ---------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in QUEUED_TASKS if n != "notify_applicant"])
def test_a_queueing_effect_puts_its_task_in_the_outbox_once_per_audit_record(
    sqlite_database: Database, name: str,
) -> None:
    with sqlite_database.session() as session:
        application = factories.application(session, state="document_review")
        ctx = _context(session, application, "confirm_eligible", audit_seq=41)
        ctx.from_state = "eligibility_check"
        _run(name, ctx)
        [message] = _queued(session)
        task = QUEUED_TASKS[name]
        assert (message.task, message.idempotency_key) == (task, f"{task}:41")
        assert message.payload == {"application_id": application.id,
                                   "trigger": "confirm_eligible",
                                   "from_state": "eligibility_check",
                                   "to_state": "document_review"}


@pytest.mark.parametrize(("trigger", "told"), [("return_for_correction", True),
                                               ("withdraw", True), ("shortlist", False),
                                               ("award_grand", False)])
def test_the_applicant_is_told_the_reason_only_when_the_transition_asks_for_one(
    sqlite_database: Database, trigger: str, told: bool,
) -> None:
    with sqlite_database.session() as session:
        application = factories.application(session, state=BY_TRIGGER[trigger].dest.value)
        _run("notify_applicant", _context(session, application, trigger, audit_seq=7))
        [message] = _queued(session)
        assert message.task == "notifications.state_changed"
        assert message.idempotency_key == "notifications.state_changed:7"
        assert message.payload["reason_for_applicant"] is told


def test_anchoring_queues_a_checkpoint_that_names_the_audit_record(
    sqlite_database: Database,
) -> None:
    with sqlite_database.session() as session:
        application = factories.application(session, state="awarded_grand")
        _run("anchor_audit_trail", _context(session, application, "award_grand", audit_seq=12))
        [message] = _queued(session)
        assert (message.task, message.idempotency_key) == (CHECKPOINT_TASK,
                                                          f"{CHECKPOINT_TASK}:12")
        assert message.payload == {
            "reason": f"award_grand application {application.id} (audit record #12)"}


# --- the table and the engine -------------------------------------------------------------


def test_every_guard_and_effect_the_table_names_exists() -> None:
    assert check_table() == []
    misnamed = dataclasses.replace(BY_TRIGGER["submit"], effects=("notify_aplicant",))
    assert check_table((misnamed,)) == ["submit: unknown effect 'notify_aplicant'"]


def test_the_transitions_library_reads_the_table_as_the_engine_does() -> None:
    assert disagreements() == []


def test_committee_decisions_and_public_notices_anchor_the_audit_trail() -> None:
    assert set(ANCHORED_STATES) == {ApplicationState.AWARDED_GRAND,
                               ApplicationState.AWARDED_ENCOURAGEMENT,
                               ApplicationState.NOT_AWARDED, ApplicationState.PUBLIC_NOTICE}


def test_the_engine_runs_each_effect_at_its_moment_in_the_listed_order(
    sqlite_database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, str, int | None, bool]] = []

    def watch(label: str) -> Callable[[EffectContext], None]:
        def effect(ctx: EffectContext) -> None:
            # the state seen, the audit record known, and whether the move is flushed yet
            seen.append((label, ctx.application.state, ctx.audit_seq,
                         ctx.application in ctx.session.dirty))
        return effect

    for label, moment in [("after", Moment.AFTER), ("enter", Moment.ON_ENTER),
                          ("before", Moment.BEFORE), ("enter_too", Moment.ON_ENTER)]:
        monkeypatch.setitem(EFFECTS, label, Effect(moment, watch(label)))
    spec: TransitionSpec = dataclasses.replace(
        BY_TRIGGER["begin_eligibility_check"],
        effects=("after", "enter", "before", "enter_too"))
    monkeypatch.setitem(BY_TRIGGER, spec.trigger, spec)
    with sqlite_database.session() as session:
        application = factories.application(session, state="submitted")
        admin = factories.user(session, Role.ADMINISTRATOR)
        result = advance(session, application.id, spec.trigger, admin)
    assert seen == [("before", "submitted", None, False),
                    ("enter", "eligibility_check", None, True),
                    ("enter_too", "eligibility_check", None, True),
                    ("after", "eligibility_check", result.audit_seq, False)]
    assert result.tasks == []  # the watching effects queue nothing


def test_a_refusal_while_entering_leaves_the_application_where_it_was(
    sqlite_database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(ctx: EffectContext) -> None:
        raise TransitionRefusedError("cannot enter", ["the effect refused"])

    monkeypatch.setitem(EFFECTS, "refuse", Effect(Moment.ON_ENTER, refuse))
    spec = dataclasses.replace(BY_TRIGGER["begin_eligibility_check"],
                               effects=("notify_applicant", "refuse"))
    monkeypatch.setitem(BY_TRIGGER, spec.trigger, spec)
    with sqlite_database.session() as session:
        application = factories.application(session, state="submitted")
        admin_id = factories.user(session, Role.ADMINISTRATOR).id
        app_id = application.id
    with pytest.raises(TransitionRefusedError), sqlite_database.session() as session:
        advance(session, app_id, spec.trigger, session.get(User, admin_id))
    with sqlite_database.session() as session:
        assert session.get(Application, app_id).state == "submitted"
        assert _queued(session) == []

