"""State-change notices by the batch: a bulk of transitions is relayed as one task, whose
worker stores every notice in one transaction, exactly as one task per move would, and a
redelivered batch stores nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.db import Database
from mqa_workflow.notifications.models import Delivery, Notification
from mqa_workflow.notifications.service import notify_state_change
from mqa_workflow.notifications.tasks import STATE_CHANGED
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.outbox.registry import batched_tasks, execute, execute_batch
from mqa_workflow.outbox.service import relay_once
from mqa_workflow.states.bulk import advance_all
from mqa_workflow.states.engine import advance
from mqa_workflow.worker.collect import collect
from tests import factories


class _RecordingSender:
    """A sender that takes several rows at once, as the Celery sender does."""

    def __init__(self) -> None:
        self.batchable = batched_tasks()  # as the Celery sender takes them
        self.alone: list[str] = []
        self.together: list[list[str]] = []

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def __call__(self, message: OutboxMessage) -> None:
        self.alone.append(message.task)

    def many(self, messages: list[OutboxMessage]) -> None:
        self.together.append([message.idempotency_key for message in messages])


def _cycle_with_contacts(database: Database, count: int) -> tuple[int, list[int], str]:
    """``count`` complete applications, each with two contacts; the cycle, their ids and
    an administrator's e-mail."""
    with database.session() as session:
        cycle = factories.cycle(session)
        ids = []
        for _ in range(count):
            application = factories.application(session, award_cycle=cycle)
            for _ in range(2):
                factories.user(session, Role.APPLICANT_CONTACT,
                               organization=application.organization)
            ids.append(application.id)
        return cycle.id, ids, factories.user(session, Role.ADMINISTRATOR).email


def _pending_notices(database: Database) -> list[tuple[dict[str, object], str]]:
    with database.session() as session:
        return [(m.payload, m.idempotency_key) for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.task == STATE_CHANGED,
                                        OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id))]


def _count(database: Database, what: type) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(what)) or 0


def test_a_bulk_of_transitions_is_relayed_as_one_notice_task(database: Database) -> None:
    collect()  # the relay groups the tasks whose batch form is registered
    cycle_id, _, admin = _cycle_with_contacts(database, 5)
    advance_all(database, cycle_id=cycle_id, award_class=None, trigger="submit",
                actor_ref=admin)
    sender = _RecordingSender()
    run = relay_once(database, sender)
    assert run.sent == 5
    assert sender.alone == [] and len(sender.together) == 1
    assert len(sender.together[0]) == 5


def test_a_single_transition_is_relayed_at_once_as_its_plain_task(database: Database) -> None:
    collect()
    _, (application_id,), _ = _cycle_with_contacts(database, 1)
    with database.session() as session:
        advance(session, application_id, "submit", factories.user(session, Role.ADMINISTRATOR))
    sender = _RecordingSender()
    assert relay_once(database, sender).sent == 1
    assert sender.alone == [STATE_CHANGED] and sender.together == []


def test_a_batch_stores_the_same_notices_as_one_task_per_move(database: Database) -> None:
    collect()
    cycle_id, ids, admin = _cycle_with_contacts(database, 3)
    advance_all(database, cycle_id=cycle_id, award_class=None, trigger="submit",
                actor_ref=admin)
    with database.session() as session:  # one move whose reason is written for the applicant
        actor = factories.user(session, Role.ADMINISTRATOR)
        advance(session, ids[0], "begin_eligibility_check", actor)
        advance(session, ids[0], "return_for_correction", actor, reason="营业执照扫描件不清晰")
    items = _pending_notices(database)
    assert len(items) == 5
    with database.session() as session:
        assert execute_batch(session, STATE_CHANGED, items) == 5
    batched = _notices(database)
    assert len(batched) == 10  # five moves, two contacts each
    assert any("营业执照扫描件不清晰" in body for *_, body, _ in batched)
    with database.session() as session:
        session.execute(Delivery.__table__.delete())
        session.execute(Notification.__table__.delete())
        for payload, _ in items:
            notify_state_change(session, **payload)  # type: ignore[arg-type]
    assert _notices(database) == batched


def _notices(database: Database) -> list[tuple[object, ...]]:
    with database.session() as session:
        return [tuple(row) for row in session.execute(
            select(Notification.user_id, Notification.event, Notification.application_id,
                   Notification.language, Notification.subject, Notification.body,
                   Notification.html).order_by(Notification.id))]


def test_a_redelivered_batch_stores_nothing_twice(database: Database) -> None:
    collect()
    cycle_id, _, admin = _cycle_with_contacts(database, 4)
    advance_all(database, cycle_id=cycle_id, award_class=None, trigger="submit",
                actor_ref=admin)
    items = _pending_notices(database)
    with database.session() as session:  # one row was also delivered alone, and ran first
        payload, key = items[0]
        assert execute(session, STATE_CHANGED, payload, key) is True
    with database.session() as session:
        assert execute_batch(session, STATE_CHANGED, items) == 3
    with database.session() as session:
        assert execute_batch(session, STATE_CHANGED, items) == 0
    assert _count(database, Notification) == 8  # four moves, two contacts each, once
    assert _count(database, Delivery) == 8
    assert _count(database, ProcessedTask) == 4


def test_a_failed_batch_leaves_its_keys_unclaimed_for_the_retry(database: Database) -> None:
    collect()
    cycle_id, _, admin = _cycle_with_contacts(database, 2)
    advance_all(database, cycle_id=cycle_id, award_class=None, trigger="submit",
                actor_ref=admin)
    items = _pending_notices(database)
    # A payload the notice cannot be made from fails the whole batch, claims included.
    broken = [({k: v for k, v in items[0][0].items() if k != "from_state"}, items[0][1]),
              items[1]]
    with pytest.raises(KeyError), database.session() as session:
        execute_batch(session, STATE_CHANGED, broken)
    assert _count(database, ProcessedTask) == 0 and _count(database, Notification) == 0
    with database.session() as session:
        assert execute_batch(session, STATE_CHANGED, items) == 2
    assert _count(database, Notification) == 4
