"""Checkpoints: every chain's head anchored outside the database, signed with the key.

A checkpoint is a small JSON file in the checkpoint folder (``MQA_AUDIT_CHECKPOINT_DIR``):
its number, the hash of the checkpoint before it, the time, the total number of records,
the root (an HMAC over every chain's length and head hash, short enough to print in a
public notice), the chains whose head moved since the previous checkpoint, and an HMAC
of all of that. Folding the checkpoints in order gives, for every chain, the length and
head it had when last anchored, so a chain that is now shorter, or whose record at that
place has another hash, had its tail deleted or rewritten. Files are only ever added
(created exclusively), so concurrent writers never overwrite one another.

One is taken by ``mqa audit checkpoint`` and, as background work after commit, at every
committee decision and every public notice.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.audit import keys
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import SYSTEM_CHAIN, database_url, key_of
from mqa_workflow.clock import now
from mqa_workflow.errors import DomainError

TASK = "audit.checkpoint"
_NAME_DIGITS = 8
_ATTEMPTS = 20

Heads = dict[int, tuple[int, str]]  # chain: (length, head hash)


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def _mac(key: bytes, purpose: str, payload: bytes) -> str:
    return hmac.new(key, purpose.encode() + b"\n" + payload, hashlib.sha256).hexdigest()


def root_of(key: bytes, heads: Heads) -> str:
    """One hash over every chain's length and head: what a notice can print."""
    lines = "\n".join(f"{chain}:{n}:{head}" for chain, (n, head) in sorted(heads.items()))
    return _mac(key, "mqa-audit-root", lines.encode())


@dataclass
class Anchors:
    """The checkpoints folded in order: each chain's anchored length and head."""

    heads: Heads = field(default_factory=dict)
    latest: dict[str, Any] | None = None
    latest_file: Path | None = None
    digest: str = ""  # SHA-256 of the latest file, what the next one links to
    problems: list[str] = field(default_factory=list)


def _signed(folder: Path, key: bytes, names: list[str] | None = None,
            ) -> Iterator[tuple[Path, bytes, dict[str, Any] | None]]:
    """Every checkpoint file (or those ``names``) in order, with its document when it is
    signed with the key (None when it is not a checkpoint or not signed)."""
    if names is None:
        names = sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []
    for path in (folder / name for name in names):
        raw = path.read_bytes()
        try:
            document = json.loads(raw)
            mac = document.pop("mac")
        except (ValueError, KeyError, AttributeError, TypeError):
            yield path, raw, None
            continue
        signed = hmac.compare_digest(str(mac), _mac(key, "mqa-audit-checkpoint",
                                                     canonical(document)))
        yield path, raw, document if signed else None


def _take_in(heads: Heads, document: dict[str, Any]) -> None:
    for chain, (length, head) in document["changed"].items():
        heads[int(chain)] = (int(length), str(head))


# Per process: the fold of the files already read, so writing checkpoint N+1 reads one
# new file, not N. Only for writing: `mqa audit verify` always reads every file again.
_folded: dict[tuple[Path, bytes], tuple[list[str], Anchors]] = {}


def fold(folder: Path, key: bytes, *, incremental: bool = False) -> Anchors:
    names = sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []
    done, anchors = _folded.get((folder, key), ([], Anchors())) if incremental else ([], None)
    if anchors is None or names[:len(done)] != done:
        done, anchors = [], Anchors()
    done, anchors = list(done), copy.deepcopy(anchors)
    for path, raw, document in _signed(folder, key, names[len(done):]):
        done.append(path.name)
        number = len(done)
        if document is None:
            anchors.problems.append(
                f"checkpoint {path} is not signed with the audit key (it was edited, or the "
                "key was replaced)")
            continue
        if document.get("number") != number or document.get("previous") != anchors.digest:
            anchors.problems.append(
                f"checkpoint {path} does not follow the one before it (a checkpoint file "
                "was removed or renumbered)")
        _take_in(anchors.heads, document)
        anchors.latest, anchors.latest_file = document, path
        anchors.digest = hashlib.sha256(raw).hexdigest()
    if anchors.latest and root_of(key, anchors.heads) != anchors.latest["root"]:
        anchors.problems.append(
            f"checkpoint {anchors.latest_file}'s root does not match the checkpoints before it")
    if incremental and not anchors.problems:
        _folded[(folder, key)] = (done, copy.deepcopy(anchors))
    return anchors


@dataclass(frozen=True)
class Anchor:
    number: int
    at: str
    root: str


def first_anchoring(folder: Path, key: bytes, chain: int, length: int) -> Anchor | None:
    """The first signed checkpoint holding record ``length`` of ``chain``: what a public
    notice prints, so anyone can later ask the office to show that root again."""
    heads: Heads = {}
    for _, _, document in _signed(folder, key):
        if document is None:
            continue  # `mqa audit verify` reports it
        _take_in(heads, document)
        if heads.get(chain, (0, ""))[0] >= length:
            return Anchor(int(document["number"]), str(document["at"]), str(document["root"]))
    return None


def notice_anchor(session: Session, application_id: int) -> Anchor | None:
    """The checkpoint anchoring the application's public notice (its announce record)."""
    length = session.scalar(
        select(func.max(AuditRecord.chain_seq)).where(
            AuditRecord.application_id == application_id,
            AuditRecord.to_state == ApplicationState.PUBLIC_NOTICE))
    if length is None:
        return None
    return first_anchoring(keys.places(database_url(session)).checkpoint_dir,
                           key_of(session), application_id, int(length))


def current_heads(session: Session) -> tuple[Heads, int]:
    """Every chain's committed length and head hash, and the number of records."""
    chain = func.coalesce(AuditRecord.application_id, SYSTEM_CHAIN)
    tops = (select(chain.label("chain"), func.max(AuditRecord.chain_seq).label("length"))
            .group_by(chain).subquery())
    rows = session.execute(
        select(tops.c.chain, tops.c.length, AuditRecord.hash)
        .join(AuditRecord, (chain == tops.c.chain) & (AuditRecord.chain_seq == tops.c.length))
    ).all()
    count = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    return {int(c): (int(n), h) for c, n, h in rows}, int(count)


class AuditTamperedError(DomainError):
    exit_code = 6


def _regressions(session: Session, anchored: Heads, heads: Heads) -> list[str]:
    """Chains now shorter than anchored, or whose anchored record has another hash."""
    problems, longer = [], []
    for chain, (length, head) in anchored.items():
        now_length, now_head = heads.get(chain, (0, ""))
        if now_length < length:
            problems.append(tail_deleted(chain, length, now_length))
        elif now_length == length and now_head != head:
            problems.append(rewritten(chain, length))
        elif now_length > length:
            longer.append((chain, length))
    chain_column = func.coalesce(AuditRecord.application_id, SYSTEM_CHAIN)
    for start in range(0, len(longer), 500):
        wanted = longer[start:start + 500]
        found = dict(((c, n), h) for c, n, h in session.execute(
            select(chain_column, AuditRecord.chain_seq, AuditRecord.hash)
            .where(tuple_(chain_column, AuditRecord.chain_seq).in_(wanted))).all())
        problems += [rewritten(c, n) for c, n in wanted if found.get((c, n)) != anchored[c][1]]
    return problems


def _chain_name(chain: int) -> str:
    return "the system chain" if chain == SYSTEM_CHAIN else f"application {chain}'s chain"


def tail_deleted(chain: int, length: int, now_length: int) -> str:
    return (f"{_chain_name(chain)} was anchored with {length} record(s) but now has "
            f"{now_length}: its newest records were deleted")


def rewritten(chain: int, length: int) -> str:
    return (f"record {length} of {_chain_name(chain)} is not the one anchored by the "
            "checkpoints: the chain was rewritten")


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    number: int
    records: int
    chains: int
    root: str


def take(session: Session, reason: str, *, only_if_changed: bool = False) -> Checkpoint:
    """Anchor the committed heads of every chain in a new checkpoint file; with
    ``only_if_changed``, return the latest one instead when it already anchors them all
    (a bulk decision queues one checkpoint per application: the first does the work)."""
    key = key_of(session)
    folder = keys.places(database_url(session)).checkpoint_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for _ in range(_ATTEMPTS):
        anchors = fold(folder, key, incremental=True)
        # Read after folding: no checkpoint folded can be newer than these heads (each
        # statement sees what was committed when it ran), so none looks like a deletion.
        heads, count = current_heads(session)
        regressions = anchors.problems + _regressions(session, anchors.heads, heads)
        if regressions:
            # Anchoring now would bless the damage: refuse, loudly.
            raise AuditTamperedError("the audit trail no longer matches its checkpoints; "
                                     "no checkpoint taken (run `mqa audit verify`)", regressions)
        changed = {str(c): list(h) for c, h in sorted(heads.items())
                   if anchors.heads.get(c) != h}
        if only_if_changed and not changed and anchors.latest and anchors.latest_file:
            latest = anchors.latest
            return Checkpoint(anchors.latest_file, int(latest["number"]),
                              int(latest["records"]), int(latest["chains"]), latest["root"])
        number = (anchors.latest or {}).get("number", 0) + 1
        merged = anchors.heads | heads
        document = {
            "number": number, "previous": anchors.digest, "at": now().isoformat(),
            "reason": reason, "records": count, "chains": len(merged),
            "root": root_of(key, merged), "changed": changed,
        }
        document["mac"] = _mac(key, "mqa-audit-checkpoint", canonical(document))
        path = folder / f"{number:0{_NAME_DIGITS}d}.json"
        if not _publish(path, json.dumps(document, ensure_ascii=False, indent=1).encode()):
            continue  # another process took this number first: fold again and follow it
        return Checkpoint(path, number, count, len(merged), document["root"])
    raise RuntimeError(f"could not add a checkpoint to {folder}: too many concurrent writers")


def _publish(path: Path, content: bytes) -> bool:
    """Write aside, then link into place: readers never see half a file, and a number
    already taken is never overwritten (False)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(partial, path)
    except FileExistsError:
        return False
    finally:
        partial.unlink()
    return True
