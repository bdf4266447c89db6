"""Appending to the audit chain and verifying it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from mqa_workflow.audit.models import GENESIS_HASH, AuditRecord
from mqa_workflow.clock import now

# Any constant works; it names the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x4D51_4101


def content_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the record's content in canonical JSON."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "application_id": record.application_id,
        "actor": record.actor,
        "at": _iso(record.at),
        "trigger": record.trigger,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "reason": record.reason,
        "data": record.data,
    }


def _iso(moment: datetime) -> str:
    # Microseconds are kept by both backends; the zone is always UTC.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append(
    session: Session,
    *,
    actor: str,
    trigger: str,
    application_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Add a record at the end of the chain, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction: appends queue up instead of forking the chain.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = session.execute(
        select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)
    record = AuditRecord(
        seq=seq,
        application_id=application_id,
        actor=actor,
        at=now(),
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
        prev_hash=prev_hash,
    )
    record.hash = content_hash(prev_hash, _fields(record))
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    record_id: int
    problem: str

    def __str__(self) -> str:
        return f"audit record #{self.seq} (id {self.record_id}): {self.problem}"


def verify_chain(session: Session, batch: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return how many records verified and the first break."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for record in _in_order(session, batch):
        if record.seq != expected_seq:
            return checked, ChainBreak(
                record.seq, record.id, f"out of order: expected record #{expected_seq} here "
                "(a record was deleted or renumbered)"
            )
        if record.prev_hash != expected_prev:
            return checked, ChainBreak(
                record.seq, record.id,
                "does not link to the record before it (a record was removed or reordered)",
            )
        if content_hash(record.prev_hash, _fields(record)) != record.hash:
            return checked, ChainBreak(
                record.seq, record.id,
                f"its content was altered after it was written ({record.trigger} on "
                f"application {record.application_id} at {_iso(record.at)})",
            )
        expected_prev, expected_seq, checked = record.hash, expected_seq + 1, checked + 1
    return checked, None


def _in_order(session: Session, batch: int) -> Iterator[AuditRecord]:
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditRecord).where(AuditRecord.seq > last_seq)
            .order_by(AuditRecord.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def history(session: Session, application_id: int) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord).where(AuditRecord.application_id == application_id)
            .order_by(AuditRecord.seq)
        )
    )
