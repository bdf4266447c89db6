"""Every listing of the command line takes `--format json|csv` for programs (issue 17): the
conflicts found, open work with deadlines, e-mails given up, the rankings and the
standards, with the same keys in JSON and CSV and times in Beijing time."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.reviews.test_conflicts_of_interest import _cli_world

ROOT = Path(__file__).resolve().parents[2]


def _office(mqa) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    mqa("cycle", "create", "--year", "2027", "--deadline", "submission=2027-06-30",
        "--rules", str(ROOT / "examples" / "rules.yaml"))


@pytest.mark.parametrize(("command", "header"), [
    (("conflict", "list"), "person,application,rule,reason,found_beijing"),
    (("deadlines", "list"), "application,work,who,due_beijing,overdue,status,notices"),
    (("notify", "failed"), "delivery,event,subject,attempts,last_error"),
    (("report", "ranking", "--cycle", "1"),
     "class,rank,application,applicant,shortlisted,document_review,final,stage,decision"),
])
def test_an_empty_listing_is_an_empty_json_list_and_a_csv_header(mqa, command, header
                                                                  ) -> None:
    _office(mqa)
    assert json.loads(mqa(*command, "--format", "json")) == []
    assert mqa(*command, "--format", "csv").splitlines() == [header]


def test_the_standards_list_for_programs_names_all_six_classes_with_500_points(mqa) -> None:
    listed = json.loads(mqa("standards", "list", "--format", "json"))
    assert [row["class"] for row in listed] == ["economic", "cultural", "social",
                                                "ecological", "management", "service"]
    assert {row["points"] for row in listed} == {500}
    rows = list(csv.DictReader(io.StringIO(mqa("standards", "list", "--format", "csv"))))
    assert rows[0]["award_class"] == listed[0]["award_class"]


def test_the_conflicts_found_list_with_their_beijing_time(mqa, tmp_path: Path) -> None:
    _cli_world(mqa, tmp_path)
    mqa("review", "declare-conflict", "1", "--reason", "持有该单位股份", "--as", "r2@pool.cn")
    found = json.loads(mqa("conflict", "list", "--format", "json"))
    assert [(f["person"], f["application"], f["rule"]) for f in found] == [
        ("r2@pool.cn", 1, "self_declared")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", found[0]["found_beijing"])
    rows = list(csv.DictReader(io.StringIO(mqa("conflict", "list", "--format", "csv"))))
    assert rows[0]["reason"] == found[0]["reason"]
