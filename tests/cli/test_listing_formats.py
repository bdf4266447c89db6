"""Every listing of the command line takes `--format json|csv` for programs (issue 17): the
conflicts found, open work with deadlines, e-mails given up, the rankings and the
standards, with the same keys in JSON and CSV and times in Beijing time."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

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
    _office(mqa)
    mqa("applicant", "add", "--name", "深圳某科技有限公司", "--uscc", "91440300708461136T",
        "--industry", "电子信息", "--district", "南山区")
    mqa("user", "add", "--name", "张专家", "--email", "zhang@pool.cn", "--role", "reviewer")
    mqa("reviewer", "add", "zhang@pool.cn", "--classes", "economic", "--industries", "电子信息")
    mqa("user", "add", "--name", "张三", "--email", "zhang@corp.cn", "--role",
        "applicant_contact", "--organization", "91440300708461136T")
    mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant",
        "91440300708461136T", "--as", "zhang@corp.cn")
    mqa("conflict", "import", str(ROOT / "examples" / "conflict-profiles.csv"))
    found = json.loads(mqa("conflict", "list", "--format", "json"))
    assert found and found[0]["person"] == "zhang@pool.cn" and found[0]["application"] == 1
    assert len(found[0]["found_beijing"]) == len("2027-01-01 09:00")
