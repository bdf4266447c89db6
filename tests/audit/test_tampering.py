"""Whoever can write to the database cannot rewrite the audit trail unnoticed.

Each test plays one attack with full write access to the database (its triggers
switched off first, as an owner can) and shows `mqa audit verify` names it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from mqa_workflow.audit import keys
from mqa_workflow.audit.checkpoints import AuditTamperedError, take
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import ChainWalk, content_hash, fields_of, genesis_hash
from mqa_workflow.audit.verify import AuditReport, verify
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.states.engine import advance
from tests import factories
from tests.audit.tamper import unprotect

STEPS = (("submit", ""), ("begin_eligibility_check", ""),
         ("return_for_correction", "营业执照不清晰"), ("declare_ineligible", "逾期未补正"))


def _applications(database: Database, count: int = 2) -> list[int]:
    """``count`` applications, each moved through every step by the engine."""
    with database.session() as session:
        admin = factories.user(session)
        ids = [factories.application(session).id for _ in range(count)]
        for trigger, reason in STEPS:
            for application_id in ids:
                advance(session, application_id, trigger, admin, reason=reason)
    return ids


def _sql(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _verify(database: Database) -> AuditReport:
    with database.session() as session:
        return verify(session)


def _checkpoint(database: Database) -> None:
    with database.session() as session:
        take(session, "test")


def _places(database: Database) -> keys.AuditPlaces:
    return keys.places(database.url)


def test_an_untouched_trail_verifies(database: Database) -> None:
    _applications(database)
    _checkpoint(database)
    report = _verify(database)
    assert report.problems == []
    assert (report.records, report.verified, report.chains) == (8, 8, 2)
    assert report.checkpoint_records == 8


def test_the_key_is_created_beside_the_data_readable_by_the_owner_only(
        sqlite_database: Database, caplog: pytest.LogCaptureFixture) -> None:
    _applications(sqlite_database, 1)
    key_file = _places(sqlite_database).key_file
    assert f"created the audit key {key_file}" in caplog.text
    database_file = Path(sqlite_database.engine.url.database or "")
    assert key_file.parent == database_file.with_name(database_file.name + ".audit")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text())) == keys.KEY_BYTES


def test_the_key_and_checkpoint_settings_name_those_of_the_configured_database_only(
        tmp_path: Path) -> None:
    office, demo = f"sqlite:///{tmp_path / 'office.sqlite3'}", f"sqlite:///{tmp_path / 'd.db'}"
    configured = Settings(database_url=office, audit_key_file=tmp_path / "secret" / "key",
                          audit_checkpoint_dir=tmp_path / "anchors")
    assert keys.places(office, configured) == keys.AuditPlaces(
        tmp_path / "secret" / "key", tmp_path / "anchors")
    assert keys.places(demo, configured) == keys.AuditPlaces(
        tmp_path / "d.db.audit" / "key", tmp_path / "d.db.audit" / "checkpoints")


def test_deleting_the_newest_records_is_detected_by_the_state_they_left(
        database: Database) -> None:
    first, _ = _applications(database)
    unprotect(database)
    _sql(database, f"DELETE FROM audit_records WHERE application_id = {first} "
                   "AND chain_seq = 4")
    problems = _verify(database).problems
    assert problems == [f"application {first} is in ineligible but its last audit record #5 "
                        "moved it to returned_for_correction (its state was changed outside "
                        "the engine)"]


def test_deleting_the_tail_after_a_checkpoint_is_detected_even_with_the_state_put_back(
        database: Database) -> None:
    first, _ = _applications(database)
    _checkpoint(database)
    unprotect(database)
    _sql(database, f"DELETE FROM audit_records WHERE application_id = {first} "
                   "AND chain_seq >= 3",
         f"UPDATE applications SET state = 'eligibility_check' WHERE id = {first}")
    problems = _verify(database).problems
    assert problems == [
        f"application {first}'s chain was anchored with 4 record(s) but now has 2: its "
        "newest records were deleted",
        f"the trail has 6 record(s), fewer than the 8 of checkpoint "
        f"{_places(database).checkpoint_dir / '00000001.json'}",
    ]


def test_a_checkpoint_refuses_to_anchor_a_trail_whose_tail_was_deleted(
        database: Database) -> None:
    first, _ = _applications(database)
    _checkpoint(database)
    unprotect(database)
    _sql(database, f"DELETE FROM audit_records WHERE application_id = {first} "
                   "AND chain_seq = 4")
    with pytest.raises(AuditTamperedError) as refused:
        _checkpoint(database)
    assert refused.value.problems == [f"application {first}'s chain was anchored with 4 "
                                      "record(s) but now has 3: its newest records were deleted"]
    assert len(list(_places(database).checkpoint_dir.glob("*.json"))) == 1


def _reseal_with_sha256(database: Database, application_id: int) -> None:
    """The attack on a keyless chain: edit a record, recompute every later hash."""
    with database.session() as session:
        records = session.scalars(select(AuditRecord).where(
            AuditRecord.application_id == application_id).order_by(AuditRecord.chain_seq)).all()
        rows = [(r.id, fields_of(r)) for r in records]
    link = genesis_hash(application_id)
    with database.engine.begin() as connection:
        for record_id, fields in rows:
            if fields["trigger"] == "return_for_correction":
                fields["reason"] = "材料齐全"
            canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True,
                                   separators=(",", ":"))
            digest = hashlib.sha256(f"{link}\n{canonical}".encode()).hexdigest()
            connection.execute(text("UPDATE audit_records SET reason = :reason, prev_hash = "
                                    ":prev, hash = :hash WHERE id = :id"),
                               {"reason": fields["reason"], "prev": link, "hash": digest,
                                "id": record_id})
            link = digest


def test_an_edit_with_every_later_hash_recomputed_without_the_key_is_detected(
        database: Database) -> None:
    first, _ = _applications(database)
    unprotect(database)
    _reseal_with_sha256(database, first)
    problems = _verify(database).problems
    assert len(problems) == 1
    assert problems[0].startswith("audit record #1 (id 1): its content was altered after it "
                                  "was written, or it was not written with the audit key")


def test_truncate_is_refused_on_postgresql(pg_database: Database) -> None:
    _applications(pg_database)
    with pytest.raises(Exception, match="append-only"):
        _sql(pg_database, "TRUNCATE audit_records")
    with pytest.raises(Exception, match="append-only"):
        _sql(pg_database, "TRUNCATE applications CASCADE")
    assert _verify(pg_database).problems == []


def test_every_state_changed_outside_the_engine_is_reported(database: Database) -> None:
    first, second = _applications(database)
    with database.session() as session:
        third = factories.application(session).id  # a draft: no transition yet, fine
    _sql(database, f"UPDATE applications SET state = 'document_review' WHERE id = {first}",
         f"UPDATE applications SET state = 'awarded_grand' WHERE id = {second}",
         f"UPDATE applications SET state = 'submitted' WHERE id = {third}")
    problems = _verify(database).problems
    assert [p.split(" but ")[0] for p in problems] == [
        f"application {first} is in document_review", f"application {second} is in "
        "awarded_grand", f"application {third} is in submitted"]
    assert "it has no audited transition, so it should be draft" in problems[2]


def test_a_replaced_key_is_detected_on_every_record_and_every_checkpoint(
        database: Database) -> None:
    _applications(database)
    _checkpoint(database)
    _places(database).key_file.write_text("ab" * 32)
    problems = _verify(database).problems
    assert sum("not written with the audit key" in p for p in problems) == 2  # one per chain
    assert any("is not signed with the audit key" in p for p in problems)


def test_a_missing_key_is_never_replaced_by_a_fresh_one(database: Database) -> None:
    _applications(database)
    _places(database).key_file.unlink()
    with pytest.raises(keys.AuditKeyError, match="is missing"), database.session() as session:
        advance(session, factories.application(session).id, "submit", factories.user(session))
    assert not _places(database).key_file.exists()


def test_a_removed_checkpoint_file_is_detected(database: Database) -> None:
    _applications(database)
    for _ in range(3):
        _checkpoint(database)
    (_places(database).checkpoint_dir / "00000002.json").unlink()
    assert _verify(database).problems == [
        f"checkpoint {_places(database).checkpoint_dir / '00000003.json'} does not follow "
        "the one before it (a checkpoint file was removed or renumbered)"]


# The rule in general, on the chain walk itself: any single change to a sealed chain
# (a field edited, a record dropped, two records swapped) breaks it.
KEY = b"k" * 32
MOMENT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _sealed_chain(reasons: list[str]) -> list[SimpleNamespace]:
    records, link = [], genesis_hash(7)
    for place, reason in enumerate(reasons, 1):
        record = SimpleNamespace(id=place, seq=place, chain_seq=place, application_id=7,
                                 actor="a@b.cn", at=MOMENT, trigger="t",
                                 from_state="x", to_state="y", reason=reason, data={},
                                 prev_hash=link)
        record.hash = content_hash(KEY, link, fields_of(record))
        records.append(record)
        link = record.hash
    return records


def _walk(records: list[SimpleNamespace]) -> ChainWalk:
    walk = ChainWalk(KEY)
    for record in records:
        walk.take(record)
    return walk


@settings(max_examples=200, deadline=None)
@given(reasons=st.lists(st.text(max_size=8), min_size=2, max_size=8), data=st.data())
def test_any_single_change_to_a_chain_breaks_it(reasons: list[str],
                                                data: st.DataObject) -> None:
    records = _sealed_chain(reasons)
    assert _walk(records).breaks == []
    place = data.draw(st.integers(0, len(records) - 2))  # the last is caught by checkpoints
    change = data.draw(st.sampled_from(["edit", "drop", "swap", "forge"]))
    if change == "edit":
        records[place].reason += "!"
    elif change == "drop":
        del records[place]
    elif change == "swap":
        records[place], records[place + 1] = records[place + 1], records[place]
    else:  # recomputed with another key
        records[place].hash = hmac.new(b"x" * 32, b"forged", hashlib.sha256).hexdigest()
    assert _walk(records).breaks != []
