"""The background tasks: names the outbox uses, and the domain function each runs.

Each domain declares its tasks in its own ``tasks.py`` with :func:`task` (work queued in
the outbox) or :func:`periodic` (work the beat starts on a schedule). The decorators only
record plain functions: this module knows nothing of Celery, so a domain depends on the
outbox, never on the worker. The worker (``mqa_workflow.worker.collect``) imports every
domain's tasks module and binds what is recorded here to its Celery app, or runs it
in-process.

An outbox task is a plain function ``(session, **payload)``. ``execute`` runs it once per
idempotency key: the key is recorded in the same transaction as the work, so a
redelivered task (a broker's redelivery, a relay that sent twice) does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mqa_workflow.clock import now
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask

TaskFunction = Callable[..., Any]
# The batch form of a task: ``(session, payloads)``, the payloads of several of its rows.
BatchFunction = Callable[[Session, list[dict[str, Any]]], None]
# Appended to a task's name for its batch form, as the worker binds and the relay sends it.
BATCH_SUFFIX = ".batch"
PeriodicFunction = Callable[[Database], dict[str, Any]]
# Seconds between runs, or read from the settings when the worker builds its schedule.
Every = float | Callable[[Settings], float]
_TASKS: dict[str, TaskFunction] = {}
_PERIODIC: dict[str, Periodic] = {}
_BATCHES: dict[str, BatchFunction] = {}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """A task the beat starts every ``every`` seconds. Not an outbox task: each run must
    itself be safe to repeat (two beats, a redelivered tick), and it gets the database,
    not one transaction, so it may commit piece by piece."""
    name: str
    function: PeriodicFunction
    every: Every

    def interval(self, settings: Settings) -> float:
        return float(self.every(settings) if callable(self.every) else self.every)


class WorkFailed(Exception):
    """The task's work failed, and the failure is already recorded with its retry scheduled
    in the database (an e-mail the SMTP server refused). Unlike any other exception, the
    transaction is committed, so the record and the schedule are kept, and only then is the
    task reported failed: Celery marks it FAILURE (Flower, the worker's log and the failed
    count show it) and does not retry it itself, the database's own schedule does."""


def task(name: str) -> Callable[[TaskFunction], TaskFunction]:
    """Record ``function(session, **payload)`` as the outbox task ``name``."""
    def decorate(function: TaskFunction) -> TaskFunction:
        if name in _TASKS and _TASKS[name] is not function:
            raise ValueError(f"task {name!r} registered twice")
        _TASKS[name] = function
        return function

    return decorate


def batch_of(name: str) -> Callable[[BatchFunction], BatchFunction]:
    """Record ``function(session, payloads)`` as the batch form of the outbox task ``name``:
    it does, in one transaction, what the task does for each payload. The relay then sends
    the task's due rows as one message (``name`` + :data:`BATCH_SUFFIX`) instead of one
    each, so a worker pays the message, the transaction and the commit once per batch."""
    def decorate(function: BatchFunction) -> BatchFunction:
        if name in _BATCHES and _BATCHES[name] is not function:
            raise ValueError(f"batch form of {name!r} registered twice")
        _BATCHES[name] = function
        return function

    return decorate


def periodic(name: str, *, every: Every) -> Callable[[PeriodicFunction], PeriodicFunction]:
    """Record ``function(database) -> figures`` as the periodic task ``name``."""
    def decorate(function: PeriodicFunction) -> PeriodicFunction:
        known = _PERIODIC.get(name)
        if name in _TASKS or (known is not None and known.function is not function):
            raise ValueError(f"task {name!r} registered twice")
        _PERIODIC[name] = Periodic(name, function, every)
        return function

    return decorate


def tasks() -> dict[str, TaskFunction]:
    """The outbox tasks recorded so far: all of them once the worker's ``collect()`` ran."""
    return dict(_TASKS)


def periodic_tasks() -> dict[str, Periodic]:
    return dict(_PERIODIC)


def batched_tasks() -> frozenset[str]:
    """The outbox tasks that have a batch form (see :func:`batch_of`)."""
    return frozenset(_BATCHES)


def execute(session: Session, name: str, payload: dict[str, Any], idempotency_key: str) -> bool:
    """Run task ``name`` inside the caller's transaction; False if it already ran."""
    if session.get(ProcessedTask, idempotency_key) is not None:
        return False
    function = _TASKS.get(name)
    if function is None:
        raise LookupError(f"no task named {name!r} (was mqa_workflow.worker.collect() run?)")
    try:
        function(session, **payload)
    except WorkFailed:
        _mark_processed(session, name, idempotency_key)  # its retry is the database's now
        raise
    _mark_processed(session, name, idempotency_key)
    return True


def _mark_processed(session: Session, name: str, idempotency_key: str) -> None:
    session.add(ProcessedTask(idempotency_key=idempotency_key, task=name))
    session.flush()  # a concurrent duplicate fails here, on the primary key, and rolls back


def execute_message(session: Session, message: OutboxMessage) -> None:
    """Run an outbox row in-process. A recorded failure is done with here: no Celery state
    to report it in, and the failure's own row (and its scheduled retry) shows it."""
    try:
        execute(session, message.task, message.payload, message.idempotency_key)
    except WorkFailed as failure:
        log.warning("%s failed (recorded, retried later): %s", message.task, failure)


def execute_batch(session: Session, name: str, items: list[tuple[dict[str, Any], str]]
                  ) -> int:
    """Run the batch form of task ``name`` for those ``(payload, idempotency_key)`` items
    whose key is not done yet, inside the caller's transaction; how many ran.

    Each key is claimed before the work (an INSERT that skips keys already there), so a
    redelivered batch, or a row also sent alone, does nothing twice: a concurrent claim of
    the same key waits for the other transaction and then finds the key taken."""
    function = _BATCHES.get(name)
    if function is None:
        raise LookupError(f"no batch form of task {name!r} (was mqa_workflow.worker.collect() "
                          "run?)")
    claimed = _claim_keys(session, name, [key for _, key in items])
    todo = []
    for payload, key in items:
        if key in claimed:
            claimed.discard(key)  # a key given twice runs once
            todo.append(payload)
    if todo:
        function(session, todo)
    return len(todo)


def _claim_keys(session: Session, name: str, keys: list[str]) -> set[str]:
    """Insert ``keys`` into processed_tasks, skipping those there; the keys inserted."""
    # The two backends this application runs on (db.py) both have INSERT … ON CONFLICT.
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    claimed: set[str] = set()
    unique = list(dict.fromkeys(keys))
    at = now()
    for start in range(0, len(unique), 300):  # within SQLite's bound-parameter limit
        statement = dialect_insert(ProcessedTask).values(
            [{"idempotency_key": key, "task": name, "finished_at": at}
             for key in unique[start:start + 300]])
        claimed.update(session.scalars(statement.on_conflict_do_nothing(
            index_elements=["idempotency_key"]).returning(ProcessedTask.idempotency_key)))
    return claimed


def run_batch(database: Database, name: str, items: list[tuple[dict[str, Any], str]]) -> int:
    """Run a batch in its own transaction (what a Celery worker does); how many ran."""
    with database.session() as session:
        return execute_batch(session, name, items)


def run(database: Database, name: str, payload: dict[str, Any], idempotency_key: str) -> bool:
    """Run a task in its own transaction (what a Celery worker does). A :class:`WorkFailed`
    is raised after the commit that keeps its record."""
    failure: WorkFailed | None = None
    with database.session() as session:
        try:
            return execute(session, name, payload, idempotency_key)
        except WorkFailed as error:
            failure = error  # leaving the block normally commits the recorded failure
    raise failure
