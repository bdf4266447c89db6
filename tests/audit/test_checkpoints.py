"""Checkpoints anchor the audit trail outside the database: by hand with `mqa audit
checkpoint`, and on their own at every committee decision and public notice. The
upgrade to per-application chains re-seals an intact trail and refuses a broken one."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.audit import keys
from mqa_workflow.audit.checkpoints import fold, notice_anchor, take
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import key_of
from mqa_workflow.audit.verify import verify
from mqa_workflow.cli import app
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.demo.service import run_demo
from mqa_workflow.migrations.service import alembic_config, upgrade
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.engine import advance
from tests import factories

USCC, OTHER_USCC = make_uscc("91440300MA5F00001"), make_uscc("91440300MA5F00002")


def test_mqa_audit_verify_checkpoint_and_where_on_the_embedded_default(mqa, tmp_path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    home = tmp_path / "cli.sqlite3.audit"
    assert f"audit key: {home / 'key'} (not created yet)" in mqa("audit", "where")
    assert "0 record(s) in 0 chain(s) verified" in mqa("audit", "verify")
    out = mqa("audit", "checkpoint", "--reason", "年度公示前")
    assert "checkpoint 1: 0 record(s) in 0 chain(s), root " in out
    saved = json.loads((home / "checkpoints" / "00000001.json").read_text())
    assert saved["reason"] == "年度公示前" and saved["records"] == 0 and "mac" in saved


def test_mqa_audit_verify_lists_every_problem_and_exits_non_zero(mqa, tmp_path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    mqa("cycle", "create", "--year", "2026", "--deadline", "submission=2099-12-31")
    for n, uscc in enumerate((USCC, OTHER_USCC), 1):
        mqa("applicant", "add", "--name", f"深圳某科技{n}有限公司", "--uscc", uscc,
            "--industry", "电子信息", "--district", "南山区")
        mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant", uscc)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"profile": "公司概况", "items": {
        item.code: "做法" for item in load_standard("economic").scored_items()}}))
    for application in ("1", "2"):
        mqa("application", "answer", application, "--file", str(answers))
        mqa("application", "submit", application)
    mqa("audit", "checkpoint")
    database = Database(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with database.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_records_no_delete"))
        connection.execute(text("DELETE FROM audit_records WHERE application_id = 2"))
        connection.execute(text("UPDATE applications SET state = 'draft' WHERE id = 2"))
        connection.execute(text("UPDATE applications SET state = 'awarded_grand' WHERE id = 1"))
    database.engine.dispose()
    out = " ".join(mqa("audit", "verify", code=1).split())
    assert "the audit trail does not verify: 3 problem(s)" in out
    # record #1 is the cycle's creation (audited); #2 and #3 the two submissions
    assert "application 1 is in awarded_grand but its last audit record #2 moved it to " \
           "submitted" in out
    assert "application 2's chain was anchored with 1 record(s) but now has 0" in out
    assert "the trail has 2 record(s), fewer than the 3 of checkpoint" in out
    refused = " ".join(mqa("audit", "checkpoint", code=1).split())
    assert "not anchoring a trail that does not verify (3 problem(s)" in refused


def _old_chain_rows(count: int, *, broken: bool = False) -> list[dict[str, object]]:
    """Records as the single SHA-256 chain before revision 0034 wrote them."""
    rows, link = [], "0" * 64
    for seq in range(1, count + 1):
        fields = {"seq": seq, "application_id": None, "actor": "system",
                  "at": f"2026-11-0{seq}T08:00:00.000000Z", "trigger": "assign_reviewers",
                  "from_state": None, "to_state": None, "reason": f"第{seq}条",
                  "data": {"n": seq}}
        canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
        digest = hashlib.sha256(f"{link}\n{canonical}".encode()).hexdigest()
        rows.append({"seq": seq, "at": f"2026-11-0{seq} 08:00:00.000000",
                     "reason": "改过" if broken and seq == 2 else fields["reason"],
                     "data": json.dumps({"n": seq}), "prev": link, "hash": digest})
        link = digest
    return rows


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on either backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    server = make_url(request.getfixturevalue("postgres_url"))
    name = f"mqa_test_upgrade_{os.getpid()}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = server.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
    shutil.rmtree(keys.default_home(url), ignore_errors=True)


def _database_at_0020_with(url: str, rows: list[dict[str, object]]) -> str:
    upgrade(url, "0020")
    database = Database(url)
    with database.engine.begin() as connection:
        for row in rows:
            connection.execute(text(
                "INSERT INTO audit_records (seq, application_id, actor, at, trigger, "
                "from_state, to_state, reason, data, prev_hash, hash) VALUES (:seq, NULL, "
                "'system', :at, 'assign_reviewers', NULL, NULL, :reason, :data, :prev, :hash)"),
                row)
    database.engine.dispose()
    return url


def test_the_upgrade_reseals_an_intact_trail_under_the_key(empty_url: str) -> None:
    url = _database_at_0020_with(empty_url, _old_chain_rows(3))
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        report = verify(session)
    assert report.problems == [] and (report.verified, report.chains) == (3, 1)
    assert keys.places(url).key_file.exists()
    database.engine.dispose()
    command.downgrade(alembic_config(url), "0020")  # and back to the one SHA-256 chain
    upgrade(url)
    with database.session() as session:
        assert verify(session).problems == []
    database.engine.dispose()


def test_the_upgrade_refuses_to_reseal_a_trail_already_altered(empty_url: str) -> None:
    url = _database_at_0020_with(empty_url, _old_chain_rows(3, broken=True))
    with pytest.raises(RuntimeError, match=r"audit record #2 \(id 2\) does not verify"):
        upgrade(url)


def test_every_decision_and_notice_takes_a_checkpoint_on_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade(url)
    database = Database(url)
    outcome = run_demo(database, applications=12, seed=4, reports_dir=tmp_path / "r",
                       procedure="shenzhen")
    decided = [row for rows in outcome.rankings.values() for row in rows
               if row.state in {"awarded_grand", "awarded_encouragement", "not_awarded"}]
    folder = keys.places(url).checkpoint_dir
    documents = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    reasons = [d["reason"] for d in documents]
    # A bulk of decisions queues one checkpoint each; the first anchors them all.
    assert decided and 0 < len(documents) <= len(reasons)
    with database.session() as session:
        report = verify(session)
        anchored = fold(folder, key_of(session)).heads
        for row in decided:  # each decision is anchored, up to its own last record
            length = session.scalar(select(func.max(AuditRecord.chain_seq)).where(
                AuditRecord.application_id == row.application_id))
            assert anchored[row.application_id][0] == length
        noticed, announce_place = session.execute(
            select(AuditRecord.application_id, AuditRecord.chain_seq).where(
                AuditRecord.to_state == "public_notice")).first()
        anchor = notice_anchor(session, noticed)
    assert report.problems == [] and report.checkpoint_records == documents[-1]["records"]
    assert anchor is not None and documents[anchor.number - 1]["root"] == anchor.root
    before = [d["changed"][str(noticed)][0] for d in documents[:anchor.number - 1]
              if str(noticed) in d["changed"]]
    assert max(before, default=0) < announce_place  # the first checkpoint holding it
    assert documents[anchor.number - 1]["changed"][str(noticed)][0] >= announce_place
    monkeypatch.setenv("MQA_DATABASE_URL", url)
    get_settings.cache_clear()
    get_database.cache_clear()
    shown = CliRunner().invoke(app, ["notice", "show", str(noticed)])
    assert f"审计锚点 audit anchor: checkpoint {anchor.number} " in shown.output
    assert f"root {anchor.root}" in shown.output
    get_settings.cache_clear()
    get_database.cache_clear()


@pytest.mark.postgres
def test_checkpoints_taken_while_others_append_never_raise_a_false_alarm(
        pg_database: Database) -> None:
    with pg_database.session() as session:
        email = factories.user(session).email
        ids = [factories.application(session).id for _ in range(8)]
    errors: list[BaseException] = []

    def work(mine: list[int]) -> None:
        try:
            for trigger in ("submit", "begin_eligibility_check"):
                for application_id in mine:
                    with pg_database.session() as session:
                        advance(session, application_id, trigger, get_user(session, email))
                    with pg_database.session() as session:
                        take(session, "concurrent")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(ids[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    folder = keys.places(pg_database.url).checkpoint_dir
    assert sorted(p.name for p in folder.glob("*.json")) == [f"{n:08d}.json"
                                                              for n in range(1, 17)]
    with pg_database.session() as session:
        report = verify(session)
    assert report.problems == [] and (report.verified, report.checkpoint_records) == (16, 16)


def test_a_bulk_decision_writes_one_checkpoint_not_one_per_application(
        sqlite_database: Database) -> None:
    with sqlite_database.session() as session:
        admin = factories.user(session)
        ids = [factories.application(session).id for _ in range(3)]
        for application_id in ids:
            advance(session, application_id, "submit", admin)
    with sqlite_database.session() as session:
        written = [take(session, f"decision {n}", only_if_changed=True) for n in range(3)]
    assert [c.number for c in written] == [1, 1, 1]
    with sqlite_database.session() as session:
        advance(session, ids[0], "begin_eligibility_check", admin)
    with sqlite_database.session() as session:
        assert take(session, "next", only_if_changed=True).number == 2
        assert take(session, "manual").number == 3  # by hand: always a new attestation
        assert verify(session).problems == []
