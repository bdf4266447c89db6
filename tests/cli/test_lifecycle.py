"""A user drives one application from draft to a decision with the ``mqa`` commands."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.cli import app
from mqa_workflow.config import get_settings
from mqa_workflow.db import get_database
from mqa_workflow.standards.loader import load_standard

runner = CliRunner()
USCC = make_uscc("91440300MA5F00001")


def test_one_application_from_draft_to_a_decision_with_its_history(mqa, tmp_path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    mqa("cycle", "create", "--year", "2026", "--deadline", "submission=2099-12-31")
    mqa("applicant", "add", "--name", "深圳某科技有限公司", "--uscc", USCC,
        "--industry", "电子信息", "--district", "南山区")
    mqa("user", "add", "--name", "张三", "--email", "zhang@corp.cn",
        "--role", "applicant_contact", "--organization", USCC)
    assert "application 1: draft" in mqa("application", "create", "--cycle", "1",
                                         "--class", "economic", "--applicant", USCC)
    refused = mqa("application", "submit", "1", "--as", "zhang@corp.cn", code=4)
    assert "item 6.3 高质量运营的结果: no written answer" in refused

    answers = tmp_path / "answers.json"
    standard = load_standard("economic")
    answers.write_text(json.dumps({"profile": "公司概况", "items": {
        item.code: f"{item.name}的做法" for item in standard.scored_items()}}))
    mqa("application", "answer", "1", "--file", str(answers))
    mqa("application", "submit", "1", "--as", "zhang@corp.cn")
    mqa("case", "advance", "1", "begin_eligibility_check")
    mqa("case", "advance", "1", "return_for_correction", code=4)  # no reason given
    mqa("case", "advance", "1", "return_for_correction", "--reason", "营业执照副本不清晰")
    mqa("case", "advance", "1", "declare_ineligible", "--reason", "逾期未补正")

    shown = mqa("case", "show", "1")
    assert "ineligible" in shown and "nothing more to do" in shown
    for trigger in ("submit", "begin_eligibility_check", "return_for_correction",
                    "declare_ineligible"):
        assert trigger in shown
    assert "audit trail intact: 5 record(s)" in mqa("audit", "verify")  # the cycle, 4 moves
    assert "stateDiagram-v2" in mqa("states", "diagram")


def test_bulk_advance_dry_run_says_what_would_move_and_why_others_cannot(mqa, tmp_path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    mqa("cycle", "create", "--year", "2026")
    standard = load_standard("economic")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"profile": "概况", "items": {
        item.code: "做法" for item in standard.scored_items()}}))
    for n in (1, 2):
        uscc = make_uscc(f"91440300MA5F0000{n}")
        mqa("applicant", "add", "--name", f"企业{n}", "--uscc", uscc, "--industry", "制造",
            "--district", "宝安区")
        mqa("application", "create", "--cycle", "1", "--class", "economic",
            "--applicant", uscc)
    mqa("application", "answer", "1", "--file", str(answers))
    dry = mqa("case", "advance-all", "submit", "--cycle", "1", "--dry-run")
    assert "would move 1, cannot move 1" in dry and "application 2 cannot move" in dry
    assert "item 1.1 文化引领: no written answer" in dry
    assert "draft" in mqa("case", "list", "--state", "draft")  # the dry run moved nothing
    moved = mqa("case", "advance-all", "submit", "--cycle", "1")
    assert "moved 1, cannot move 1" in moved
    assert "submitted" in mqa("case", "list", "--state", "submitted")


def test_an_edited_audit_row_makes_verify_fail(mqa, tmp_path) -> None:
    test_one_application_from_draft_to_a_decision_with_its_history(mqa, tmp_path)
    with get_database(get_settings().database_url).engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_records_no_update"))
        connection.execute(text("UPDATE audit_records SET actor = 'someone' WHERE seq = 3"))
    failed = mqa("audit", "verify", code=1)
    assert "audit record #3" in failed and "altered" in failed


@pytest.mark.parametrize("args", [
    ["applicant", "add", "--name", "X", "--uscc", "91440300MA5F000010", "--industry", "a",
     "--district", "b"],
    ["cycle", "create", "--year", "2026", "--classes", "sports"],
    ["cycle", "create", "--year", "2026", "--deadline", "submission=tomorrow"],
    ["case", "show", "99"],
])
def test_bad_input_is_refused_with_a_message_and_nonzero_exit(mqa, args) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    result = runner.invoke(app, args)
    assert result.exit_code != 0 and "error:" in result.output


def test_every_engine_command_has_help() -> None:
    groups = ["db", "user", "cycle", "applicant", "application", "case", "states", "audit",
              "outbox"]
    for group in groups:
        result = runner.invoke(app, [group, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
