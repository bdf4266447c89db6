"""``mqa audit verify``: every check of the audit trail, every problem reported.

1. each chain links up and every record's HMAC verifies under the key (altered,
   deleted, reordered or forged records; hashes recomputed without the key);
2. each application's state equals where its last audited transition left it (a
   state changed outside the engine);
3. the checkpoints are signed and follow one another, and no chain is shorter than,
   or differs from, what they anchored (the newest records deleted or rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.audit import keys
from mqa_workflow.audit.checkpoints import fold, rewritten, tail_deleted
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import database_url, state_mismatches, walk_chains


@dataclass
class AuditReport:
    records: int = 0
    verified: int = 0
    chains: int = 0
    checkpoint: Path | None = None
    checkpoint_records: int = 0
    key_file: Path | None = None
    problems: list[str] = field(default_factory=list)


def fresh_start(records: int, where: keys.AuditPlaces) -> bool:
    """Nothing written or anchored yet: the one time a missing key may be created."""
    return records == 0 and not any(where.checkpoint_dir.glob("*.json"))


def verify(session: Session) -> AuditReport:
    where = keys.places(database_url(session))
    report = AuditReport(key_file=where.key_file)
    records = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    key = keys.key_for(where.key_file, may_create=fresh_start(records, where))
    anchors = fold(where.checkpoint_dir, key)
    # Counted again after folding, so a checkpoint taken meanwhile is never "ahead".
    report.records = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    anchored = anchors.heads
    walk = walk_chains(session, key, {chain: length for chain, (length, _) in anchored.items()})
    report.verified, report.chains = walk.checked, len(walk.lengths)
    report.problems += [str(b) for b in sorted(walk.breaks, key=lambda b: b.seq)]
    report.problems += state_mismatches(session)
    report.problems += anchors.problems
    if anchors.latest:
        report.checkpoint = anchors.latest_file
        report.checkpoint_records = int(anchors.latest["records"])
        for chain, (length, head) in sorted(anchored.items()):
            now_length = walk.lengths.get(chain, 0)
            if now_length < length:
                report.problems.append(tail_deleted(chain, length, now_length))
            elif walk.anchored_hashes.get(chain) != head:
                report.problems.append(rewritten(chain, length))
        if report.records < report.checkpoint_records:
            report.problems.append(
                f"the trail has {report.records} record(s), fewer than the "
                f"{report.checkpoint_records} of checkpoint {anchors.latest_file}")
    return report
