"""Appending to the audit chains and verifying them.

Each application has its own chain (records without an application form the system
chain). A record carries its place in the chain (``chain_seq``), the hash of the
record before it and an HMAC-SHA256, under a key the database does not hold, of its
content with that link. Altering, deleting or reordering a record breaks its chain;
recomputing the hashes needs the key. A chain's appends queue on the application's own
lock (its row, which the transition already holds, or an advisory lock per chain), so
transitions of different applications never wait for one another. The global ``seq``
only orders records for reading. Deleting a chain's newest records is caught by the
checkpoints (``mqa_workflow.audit.checkpoints``), which anchor every chain's head
outside the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, func, literal, select, text, true
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit import keys
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.clock import now

SYSTEM_CHAIN = 0
# The two-integer advisory lock namespace of the per-chain locks (any constant works).
_CHAIN_LOCK_SPACE = 0x4D51_4102
# PostgreSQL hands out the reading order; SQLite serialises writers anyway.
SEQ_SEQUENCE = "audit_records_seq_seq"
INITIAL_STATE = ApplicationState.DRAFT


def genesis_hash(chain: int) -> str:
    """What the first record of a chain links to: distinct per chain, public."""
    return hashlib.sha256(f"mqa-audit-genesis:{chain}".encode()).hexdigest()


def content_hash(key: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    """HMAC-SHA256 under ``key`` of the previous hash and the content in canonical JSON."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, f"{prev_hash}\n{canonical}".encode(), hashlib.sha256).hexdigest()


def fields_of(record: Any) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "chain_seq": record.chain_seq,
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


def chain_of(application_id: int | None) -> int:
    return SYSTEM_CHAIN if application_id is None else application_id


def database_url(session: Session | Connection) -> str:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.engine.url.render_as_string(hide_password=False)


def key_of(session: Session, *, may_create: bool = False) -> bytes:
    return keys.key_for(keys.places(database_url(session)).key_file, may_create=may_create)


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
    """Add a record at the end of its application's chain, inside the caller's transaction."""
    chain = chain_of(application_id)
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        # Held to commit, but only by this chain: other applications append in parallel.
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :chain)"),
                        {"space": _CHAIN_LOCK_SPACE, "chain": chain})
    seq, last = _place_at_the_end(session, chain, postgresql)
    key = _key_for_append(session, first_of_chain=last is None)
    chain_seq, prev_hash = (last.chain_seq + 1, last.hash) if last else (1, genesis_hash(chain))
    record = AuditRecord(
        seq=seq,
        chain_seq=chain_seq,
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
    record.hash = content_hash(key, prev_hash, fields_of(record))
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class ChainEnd:
    """Where the next record of a chain goes: its reading-order number and the chain's
    last record (place 0 and no hash: a new chain)."""

    next_seq: int
    chain_seq: int
    hash: str | None


def chain_lock(application_id: Any) -> Any:
    """The chain's advisory lock as a column, to be taken inside a query of the caller's
    (PostgreSQL; held to commit, by this chain only)."""
    return func.pg_advisory_xact_lock(_CHAIN_LOCK_SPACE, func.coalesce(application_id,
                                                                       SYSTEM_CHAIN))


def chain_end_columns(application_id: Any, postgresql: bool) -> list[Any]:
    """Columns naming the chain's end (``next_seq``, ``last_chain_seq``, ``last_hash``), to
    read beside other things in one query. Read in the statement that takes the chain's
    lock, they may be stale if the lock had to be waited for: the writer checks the end
    again when it writes (``states/writing.py``)."""
    last = (select(AuditRecord.chain_seq, AuditRecord.hash)
            .where(AuditRecord.application_id == application_id)
            .order_by(AuditRecord.chain_seq.desc()).limit(1))
    next_seq = (func.nextval(SEQ_SEQUENCE) if postgresql else
                select(func.coalesce(func.max(AuditRecord.seq), 0) + 1).scalar_subquery())
    return [next_seq.label("next_seq"),
            last.with_only_columns(AuditRecord.chain_seq).scalar_subquery()
            .label("last_chain_seq"),
            last.with_only_columns(AuditRecord.hash).scalar_subquery().label("last_hash")]


def chain_end_of(row: Any) -> ChainEnd:
    return ChainEnd(int(row.next_seq), row.last_chain_seq or 0, row.last_hash)


def sealed(
    session: Session,
    end: ChainEnd,
    *,
    actor: str,
    trigger: str,
    application_id: int | None,
    from_state: str | None,
    to_state: str | None,
    reason: str,
    data: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    """The column values of the record that goes at ``end``, linked and HMAC-signed
    exactly as :func:`append` signs it, for the caller's own INSERT."""
    values = {"seq": end.next_seq, "chain_seq": end.chain_seq + 1,
              "application_id": application_id, "actor": actor, "at": at,
              "trigger": trigger, "from_state": from_state, "to_state": to_state,
              "reason": reason, "data": data}
    key = _key_for_append(session, first_of_chain=end.hash is None)
    prev_hash = end.hash or genesis_hash(chain_of(application_id))
    values["prev_hash"] = prev_hash
    values["hash"] = content_hash(key, prev_hash, fields_of(SimpleNamespace(**values)))
    return values


def _in_chain(chain: int) -> Any:
    if chain == SYSTEM_CHAIN:
        return AuditRecord.application_id.is_(None)
    return AuditRecord.application_id == chain


def _place_at_the_end(session: Session, chain: int, postgresql: bool) -> tuple[int, Any]:
    """The next reading-order number and the chain's last record (None: a new chain)."""
    last_in_chain = (select(AuditRecord.chain_seq, AuditRecord.hash).where(_in_chain(chain))
                     .order_by(AuditRecord.chain_seq.desc()).limit(1))
    if postgresql:
        # One round trip: the sequence's next number beside the chain's end.
        end = last_in_chain.subquery().lateral()
        row = session.execute(
            select(func.nextval(SEQ_SEQUENCE).label("seq"), end.c.chain_seq, end.c.hash)
            .select_from(select(literal(1)).subquery())
            .outerjoin(end, true())).one()
        return int(row.seq), (row if row.chain_seq is not None else None)
    last = session.execute(last_in_chain).first()
    return int(session.scalar(select(func.coalesce(func.max(AuditRecord.seq), 0))) + 1), last


def _key_for_append(session: Session, *, first_of_chain: bool) -> bytes:
    """The key; created only for the very first record of the whole trail."""
    try:
        return key_of(session)
    except keys.AuditKeyError:
        if first_of_chain and session.scalar(select(AuditRecord.id).limit(1)) is None:
            return key_of(session, may_create=True)
        raise


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    record_id: int
    problem: str

    def __str__(self) -> str:
        return f"audit record #{self.seq} (id {self.record_id}): {self.problem}"


@dataclass
class ChainWalk:
    """Every chain walked in reading order: its head, how many records verified, breaks."""

    key: bytes
    anchors: dict[int, int] = field(default_factory=dict)  # chain: length a checkpoint saw
    checked: int = 0
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain: (chain_seq, hash)
    lengths: dict[int, int] = field(default_factory=dict)  # the highest place present
    anchored_hashes: dict[int, str] = field(default_factory=dict)
    breaks: list[ChainBreak] = field(default_factory=list)
    broken_chains: set[int] = field(default_factory=set)

    def take(self, record: Any) -> None:
        chain = chain_of(record.application_id)
        self.lengths[chain] = max(self.lengths.get(chain, 0), record.chain_seq)
        if self.anchors.get(chain) == record.chain_seq:
            self.anchored_hashes[chain] = record.hash
        if chain in self.broken_chains:
            return  # the chain's first break is what matters; the rest cannot link to it
        problem = self._problem(chain, record)
        if problem:
            self.breaks.append(ChainBreak(record.seq, record.id, problem))
            self.broken_chains.add(chain)
            return
        self.heads[chain] = (record.chain_seq, record.hash)
        self.checked += 1

    def _problem(self, chain: int, record: Any) -> str:
        place, link = self.heads.get(chain, (0, genesis_hash(chain)))
        where = f"application {chain}" if chain != SYSTEM_CHAIN else "the system chain"
        if record.chain_seq != place + 1:
            return (f"out of order: expected record {place + 1} of {where} here "
                    "(a record was deleted or renumbered)")
        if record.prev_hash != link:
            return "does not link to the record before it (a record was removed or reordered)"
        if not hmac.compare_digest(content_hash(self.key, record.prev_hash,
                                                fields_of(record)), record.hash):
            return (f"its content was altered after it was written, or it was not written "
                    f"with the audit key ({record.trigger} on application "
                    f"{record.application_id} at {_iso(record.at)})")
        return ""


def walk_chains(session: Session, key: bytes | None = None,
                anchors: dict[int, int] | None = None, batch: int = 1000) -> ChainWalk:
    if key is None and session.scalar(select(AuditRecord.id).limit(1)) is None:
        return ChainWalk(b"", anchors or {})  # an empty trail is whole without a key
    walk = ChainWalk(key or key_of(session), anchors or {})
    for record in _in_order(session, batch):
        walk.take(record)
    return walk


def verify_chain(session: Session, batch: int = 1000) -> tuple[int, ChainBreak | None]:
    """How many records verified and the first break in reading order (chains only; the
    full check with states and checkpoints is :func:`mqa_workflow.audit.verify.verify`)."""
    walk = walk_chains(session, batch=batch)
    return walk.checked, min(walk.breaks, key=lambda b: b.seq) if walk.breaks else None


def _in_order(session: Session, batch: int) -> Iterator[Any]:
    """Plain rows (not ORM objects), so a long trail is read in constant memory."""
    table = AuditRecord.__table__
    last_seq = 0
    while True:
        rows = session.execute(
            select(table).where(table.c.seq > last_seq).order_by(table.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def state_mismatches(session: Session) -> list[str]:
    """Every application whose state is not where its last audited transition left it."""
    last = (select(AuditRecord.application_id, func.max(AuditRecord.seq).label("seq"))
            .where(AuditRecord.to_state.is_not(None)).group_by(AuditRecord.application_id)
            .subquery())
    rows = session.execute(
        select(Application.id, Application.state, AuditRecord.to_state, AuditRecord.seq)
        .outerjoin(last, last.c.application_id == Application.id)
        .outerjoin(AuditRecord, AuditRecord.seq == last.c.seq)
        .order_by(Application.id)
    ).all()
    problems = []
    for application_id, state, audited, seq in rows:
        expected = audited or INITIAL_STATE
        if state != expected:
            source = (f"its last audit record #{seq} moved it to {audited}" if audited
                      else f"it has no audited transition, so it should be {INITIAL_STATE}")
            problems.append(f"application {application_id} is in {state} but {source} "
                            "(its state was changed outside the engine)")
    return problems


def history(session: Session, application_id: int) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord).where(AuditRecord.application_id == application_id)
            .order_by(AuditRecord.seq)
        )
    )
