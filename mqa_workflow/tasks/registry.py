"""The background tasks: names the outbox uses, and the domain function each runs.

A task is a plain function ``(session, **payload)``. ``execute`` runs it once per
idempotency key: the key is recorded in the same transaction as the work, so a
redelivered task (a broker's redelivery, a relay that sent twice) does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask

TaskFunction = Callable[..., Any]
_TASKS: dict[str, TaskFunction] = {}


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
    function(session, **payload)
    session.add(ProcessedTask(idempotency_key=idempotency_key, task=name))
    session.flush()  # a concurrent duplicate fails here, on the primary key, and rolls back
    return True


def execute_message(session: Session, message: OutboxMessage) -> None:
    execute(session, message.task, message.payload, message.idempotency_key)


def run(database: Database, name: str, payload: dict[str, Any], idempotency_key: str) -> bool:
    """Run a task in its own transaction (what a Celery worker does)."""
    with database.session() as session:
        return execute(session, name, payload, idempotency_key)
