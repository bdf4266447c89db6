"""The background tasks: names the outbox uses, and the domain function each runs.

A task is a plain function ``(session, **payload)``. ``execute`` runs it once per
idempotency key: the key is recorded in the same transaction as the work, so a
redelivered task (a broker's redelivery, a relay that sent twice) does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask

TaskFunction = Callable[..., Any]
_TASKS: dict[str, TaskFunction] = {}
log = logging.getLogger(__name__)


class WorkFailed(Exception):
    """The task's work failed, and the failure is already recorded with its retry scheduled
    in the database (an e-mail the SMTP server refused). Unlike any other exception, the
    transaction is committed, so the record and the schedule are kept, and only then is the
    task reported failed: Celery marks it FAILURE (Flower, the worker's log and the failed
    count show it) and does not retry it itself, the database's own schedule does."""


def register(name: str) -> Callable[[TaskFunction], TaskFunction]:
    def decorate(function: TaskFunction) -> TaskFunction:
        if name in _TASKS and _TASKS[name] is not function:
            raise ValueError(f"task {name!r} registered twice")
        _TASKS[name] = function
        return function

    return decorate


def tasks() -> dict[str, TaskFunction]:
    import mqa_workflow.tasks.catalogue  # noqa: F401  (registers every task)

    return dict(_TASKS)


def execute(session: Session, name: str, payload: dict[str, Any], idempotency_key: str) -> bool:
    """Run task ``name`` inside the caller's transaction; False if it already ran."""
    if session.get(ProcessedTask, idempotency_key) is not None:
        return False
    function = tasks().get(name)
    if function is None:
        raise LookupError(f"no task named {name!r}")
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
