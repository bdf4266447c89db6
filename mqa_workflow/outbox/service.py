"""Writing to the outbox and handing its rows to the task runner.

The relay claims due rows (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so
several relays never claim the same row), hands each to a sender and marks it
sent in the same transaction. A sender that fails (a broker that is down) leaves
the row pending with a growing back-off: the work is delayed, never lost. A
relay that dies after sending but before committing sends the row again later;
the task's idempotency key makes that second delivery a no-op.

Rows of a task that has a batch form (``registry.batch_of``, e.g. the state-change notices
a bulk of transitions queues) go to a sender that can take several at once (``send.many``
for the tasks in ``send.batchable``) as one message per claimed batch: one task for the
workers, not one per row. A row due alone (one transition from the web) still goes at
once, as its plain task.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, event, func, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from mqa_workflow.clock import now
from mqa_workflow.db import Database
from mqa_workflow.errors import NotFoundError
from mqa_workflow.outbox.models import OutboxMessage

Sender = Callable[[OutboxMessage], None]
Executor = Callable[[Session, OutboxMessage], None]
MAX_BACKOFF = timedelta(minutes=10)
_QUEUED = "mqa_outbox_queued"  # the key in Session.info


def queued_in(session: Session) -> bool:
    """Whether this session wrote outbox rows (new ones, or pending ones made due).

    A server wakes its drainer after a commit only then: a request that queued
    nothing (most of them, e.g. a draft score sheet) costs no outbox transaction.
    Rows written another way (raw SQL, another process) are found by the drainer's
    own periodic look.
    """
    return bool(session.info.get(_QUEUED))


def note_queued(session: Session) -> None:
    """Say that rows were written to the outbox by SQL the listeners below cannot see
    (the transition's one-statement write), so the server still wakes its drainer."""
    session.info[_QUEUED] = True


@event.listens_for(Session, "before_flush")
def _note_outbox_rows(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if not session.info.get(_QUEUED) and any(
            isinstance(row, OutboxMessage) for row in (*session.new, *session.dirty)):
        session.info[_QUEUED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_outbox_statements(state: ORMExecuteState) -> None:
    """Bulk INSERT or UPDATE statements on the outbox queue work too."""
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update) and getattr(
            table, "name", None) == OutboxMessage.__tablename__:
        state.session.info[_QUEUED] = True


def enqueue(
    session: Session, task: str, payload: dict[str, Any], idempotency_key: str
) -> OutboxMessage:
    """Record background work inside the caller's transaction."""
    message = OutboxMessage(task=task, payload=payload, idempotency_key=idempotency_key)
    session.add(message)
    return message


@dataclass
class RelayRun:
    sent: int = 0
    failed: int = 0
    last_error: str = ""


def relay_once(database: Database, send: Sender, batch: int = 100) -> RelayRun:
    """Claim up to ``batch`` due rows and send them to a broker; one transaction.

    The first failed send ends the batch: with the broker down, trying the
    rest would only wait out the same timeout again. A sender that publishes a whole
    batch at once (``send.batch()``) either sent all of it or none is marked sent: rows
    sent twice are harmless, their idempotency keys make the second run a no-op.
    """
    run = RelayRun()
    with database.session() as session:
        messages = _claim(session, batch)
        if not messages:
            return run
        sent: list[int] = []
        units = _units(send, messages)
        done = 0  # units sent
        try:
            with _publishing(send):  # one broker connection for the whole batch, if it can
                for unit in units:
                    _send_unit(send, unit)
                    sent += [message.id for message in unit]
                    done += 1
        except Exception as error:  # any sender failure: keep the row (and the rest) for later
            failed = units[min(done, len(units) - 1)][0]
            if hasattr(send, "batch"):
                sent = []  # a batch goes out as it closes: none of it is known to be sent
            _back_off(failed, error)
            run.failed, run.last_error = 1, failed.last_error
        if sent:  # one UPDATE for the batch, not one per row
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(sent)).values(
                sent_at=now(), attempts=OutboxMessage.attempts + 1))
            run.sent = len(sent)
    return run


def _units(send: Sender, messages: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """What goes out as one message: the rows of each task the sender can send several of
    at once (``send.batchable``, with ``send.many``) together, in the order of their first
    row; others alone."""
    batched: Collection[str] = getattr(send, "batchable", ())
    if not batched or not callable(getattr(send, "many", None)):
        return [[message] for message in messages]
    units: list[list[OutboxMessage]] = []
    grouped: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        if message.task not in batched:
            units.append([message])
        elif message.task in grouped:
            grouped[message.task].append(message)
        else:
            grouped[message.task] = [message]
            units.append(grouped[message.task])
    return units


def _send_unit(send: Sender, unit: list[OutboxMessage]) -> None:
    if len(unit) == 1:
        send(unit[0])
    else:
        send.many(unit)  # type: ignore[attr-defined]


def _publishing(send: Sender) -> AbstractContextManager[object]:
    """A sender that can hold one broker connection for a whole batch offers ``batch()``."""
    batch = getattr(send, "batch", None)
    return batch() if callable(batch) else nullcontext()


def relay_pending(database: Database, send: Sender, batch: int = 100) -> RelayRun:
    """Relay until nothing due is left or a send fails (then the broker is likely down)."""
    total = RelayRun()
    while True:
        run = relay_once(database, send, batch)
        total.sent += run.sent
        total.failed += run.failed
        total.last_error = run.last_error or total.last_error
        if run.failed or run.sent < batch:
            return total


def run_in_process(database: Database, execute: Executor, limit: int | None = None) -> RelayRun:
    """Run due rows here, each in one transaction with its row marked done.

    The work runs in a savepoint: a task that fails is rolled back alone and
    its row backs off and stays visible, while the loop goes on with the rest.
    Tasks may enqueue more work; it runs in the same drain.
    """
    run = RelayRun()
    while limit is None or run.sent + run.failed < limit:
        with database.session() as session:
            message = session.scalars(_due().limit(1)).first()
            if message is None:
                return run
            try:
                with session.begin_nested():
                    execute(session, message)
            except Exception as error:  # the task's own failure, kept for operators
                _back_off(message, error)
                run.failed += 1
                run.last_error = message.last_error
            else:
                message.sent_at = now()
                message.attempts += 1
                run.sent += 1
    return run


def _due() -> Select[tuple[OutboxMessage]]:
    return (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.available_at <= now())
        .order_by(OutboxMessage.id)
        .with_for_update(skip_locked=True)  # ignored by SQLite, whose writers take turns
    )


def _claim(session: Session, batch: int) -> list[OutboxMessage]:
    return list(session.scalars(_due().limit(batch)))


def _back_off(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    delay = min(timedelta(seconds=2 ** min(message.attempts, 10)), MAX_BACKOFF)
    message.available_at = now() + delay


@dataclass(frozen=True)
class OutboxLag:
    pending: int
    oldest_created_at: datetime | None
    failing: int


def lag(session: Session) -> OutboxLag:
    pending_rows = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).subquery()
    pending, oldest, failing = session.execute(
        select(
            func.count(),
            func.min(pending_rows.c.created_at),
            func.count().filter(pending_rows.c.attempts > 0),
        ).select_from(pending_rows)
    ).one()
    return OutboxLag(pending, oldest, failing)


def retry_now(session: Session, message_id: int) -> OutboxMessage:
    """An operator's retry: make a pending (backed-off) row due at once."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        raise NotFoundError(f"no pending outbox task {message_id}")
    message.available_at = now()
    session.flush()
    return message
