"""The lean path's write: the state move, its audit record and its queued work at once.

On PostgreSQL one statement does all three (data-modifying CTEs): the UPDATE checks
the optimistic lock (``version``) and that the audit chain still ends where the loading
query saw it, and the INSERTs take their rows from the UPDATE's, so nothing is written
unless the move is. The chain's lock was taken by the loading query; this statement
starts after it was granted, so it sees every record of the chain that was committed
before. If the loading query had to wait for that lock, the end it read may be stale:
then nothing is written, and the engine seals the record again on the real end.
SQLite, whose writers take turns, runs the same three writes one after the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.outbox.service import note_queued
from mqa_workflow.states.effects import QueuedTask

_MOVE_AND_RECORD = text("""
WITH moved AS (
    UPDATE applications SET state = :to_state, version = version + 1, updated_at = :now
    WHERE id = :application_id AND version = :version AND NOT EXISTS (
        SELECT 1 FROM audit_records
        WHERE application_id = :application_id AND chain_seq >= :chain_seq)
    RETURNING version),
audited AS (
    INSERT INTO audit_records (seq, chain_seq, application_id, actor, at, trigger,
                               from_state, to_state, reason, data, prev_hash, hash)
    SELECT :seq, :chain_seq, :application_id, :actor, :at, :trigger, :from_state,
           :to_state, :reason, CAST(:data AS json), :prev_hash, :hash FROM moved
    RETURNING id),
queued AS (
    INSERT INTO outbox_messages (task, payload, idempotency_key, created_at, available_at,
                                 attempts, last_error)
    SELECT q.task, q.payload, q.key, :now, :now, 0, '' FROM moved,
           json_to_recordset(CAST(:queued AS json)) AS q(task text, payload json, key text)
    RETURNING id)
SELECT (SELECT version FROM moved) AS version,
       (SELECT count(*) FROM audited) AS audited,
       (SELECT max(chain_seq) FROM audit_records
        WHERE application_id = :application_id) AS chain_end
""")


@dataclass(frozen=True)
class Written:
    version: int | None  # the application's new version; None: nothing was written
    chain_moved: bool  # the chain had grown past the end the record was sealed on


def move_and_record(session: Session, *, application_id: int, version: int, to_state: str,
                    record: dict[str, Any], queued: list[QueuedTask],
                    at: datetime) -> Written:
    """Write the move, the record and the queued rows, or (version or chain changed)
    nothing at all."""
    if session.get_bind().dialect.name == "postgresql":
        written = _in_one_statement(session, application_id, version, to_state, record,
                                    queued, at)
    else:
        written = _one_after_another(session, application_id, version, to_state, record,
                                     queued, at)
    if written.version is not None:
        _sync_loaded_row(session, application_id, to_state, written.version, at)
    return written


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _in_one_statement(session: Session, application_id: int, version: int, to_state: str,
                      record: dict[str, Any], queued: list[QueuedTask],
                      at: datetime) -> Written:
    moment = _naive_utc(at)
    row = session.execute(_MOVE_AND_RECORD, {
        **record, "application_id": application_id, "version": version,
        "to_state": str(to_state), "now": moment, "at": moment,
        "data": json.dumps(record["data"], ensure_ascii=False),
        "queued": json.dumps([{"task": q.task, "payload": q.payload,
                               "key": q.idempotency_key} for q in queued],
                             ensure_ascii=False),
    }).one()
    if row.version is not None:
        if queued:
            note_queued(session)
        return Written(row.version, False)
    return Written(None, (row.chain_end or 0) >= record["chain_seq"])


def _one_after_another(session: Session, application_id: int, version: int, to_state: str,
                       record: dict[str, Any], queued: list[QueuedTask],
                       at: datetime) -> Written:
    table = Application.__table__
    moved = session.execute(
        update(table).where(table.c.id == application_id, table.c.version == version)
        .values(state=to_state, version=version + 1, updated_at=at))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return Written(None, False)
    session.execute(insert(AuditRecord.__table__).values(**record))
    if queued:
        session.execute(insert(OutboxMessage.__table__), [
            {"task": q.task, "payload": q.payload, "idempotency_key": q.idempotency_key,
             "created_at": at, "available_at": at, "attempts": 0, "last_error": ""}
            for q in queued])
    return Written(version + 1, False)


def chain_end_now(session: Session, application_id: int, next_seq: int) -> audit.ChainEnd:
    """The chain's end as it is now (after a stale read), keeping the number drawn."""
    last = session.execute(
        select(AuditRecord.chain_seq, AuditRecord.hash)
        .where(AuditRecord.application_id == application_id)
        .order_by(AuditRecord.chain_seq.desc()).limit(1)).first()
    return audit.ChainEnd(next_seq, last.chain_seq if last else 0, last.hash if last else None)


def _sync_loaded_row(session: Session, application_id: int, to_state: str, version: int,
                     at: datetime) -> None:
    """A caller that already holds the application's ORM row sees the move (and its next
    write checks the new version, not the old one)."""
    loaded = session.identity_map.get(identity_key(Application, application_id))
    if loaded is not None:
        set_committed_value(loaded, "state", to_state)
        set_committed_value(loaded, "version", version)
        set_committed_value(loaded, "updated_at", at)
