"""Files given to the command line: a clear refusal, never a traceback or a silent "0 saved".

Chinese offices often save files from Windows tools in GBK; the refusal says so.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_full_cycle import USCC, _file, _set_up


def _gbk(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("gbk"))
    return str(path)


def test_cycle_rules_in_gbk_are_refused_with_how_to_save_them(mqa, tmp_path: Path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    rules = _gbk(tmp_path, "rules.yaml", "reviewers_per_application: 3  # 每份申报三位评审员\n")
    refused = " ".join(mqa("cycle", "create", "--year", "2027", "--rules", rules,
                           code=2).split())
    assert "must be UTF-8 text" in refused and "GBK" in refused
    assert "Traceback" not in refused
    assert "no award cycle" in mqa("cycle", "show", "1", code=2)  # nothing was created


def test_a_site_visit_report_that_is_not_utf8_is_refused(mqa, tmp_path: Path) -> None:
    _set_up(mqa, tmp_path)
    report = tmp_path / "report.yaml"
    report.write_bytes(b"summary: \xff\xfe broken\n")
    refused = " ".join(mqa("sitevisit", "report", "1", "--file", str(report), "--as",
                           "r1@pool.cn", code=2).split())
    assert "must be UTF-8 text" in refused


def _application(mqa, tmp_path: Path) -> None:
    _set_up(mqa, tmp_path)
    mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant", USCC)


def test_answers_of_the_wrong_shape_are_refused_with_what_is_wrong(mqa, tmp_path: Path) -> None:
    _application(mqa, tmp_path)
    flat = _file(tmp_path, "flat.json", {"1.1": "领导作用……", "1.2": "社会责任……"})
    refused = " ".join(mqa("application", "answer", "1", "--file", flat, code=2).split())
    assert "unknown key '1.1'" in refused and '"items"' in refused
    assert "saved" not in refused
    empty = _file(tmp_path, "empty.json", {})
    assert "no profile and no item answers" in mqa("application", "answer", "1", "--file",
                                                   empty, code=2)
    listed = _file(tmp_path, "list.json", {"items": ["领导作用"]})
    assert "must map item codes" in mqa("application", "answer", "1", "--file", listed, code=2)


def test_answers_in_gbk_are_refused_and_utf8_with_a_bom_is_taken(mqa, tmp_path: Path) -> None:
    _application(mqa, tmp_path)
    gbk = _gbk(tmp_path, "answers.json", '{"items": {"1.1": "领导作用"}}')
    assert "GBK" in " ".join(mqa("application", "answer", "1", "--file", gbk, code=2).split())
    bom = tmp_path / "bom.json"
    bom.write_bytes('{"items": {"1.1": "领导作用"}}'.encode("utf-8-sig"))  # as Excel saves
    assert "1 item answers saved" in mqa("application", "answer", "1", "--file", str(bom))


def test_case_list_prints_json_and_csv_for_programs_with_full_chinese_names(
        mqa, tmp_path: Path) -> None:
    import csv
    import io
    import json

    _application(mqa, tmp_path)
    listed = json.loads(mqa("case", "list", "--format", "json"))
    assert listed == [{"id": 1, "cycle": 1, "class": "economic",
                       "applicant": "深圳某精密制造有限公司", "state": "draft",
                       "state_label": "草稿", "version": 1}]
    rows = list(csv.DictReader(io.StringIO(mqa("case", "list", "--format", "csv"))))
    assert rows[0]["applicant"] == "深圳某精密制造有限公司" and rows[0]["state"] == "draft"
    assert "深圳某精密制造有限公司" in mqa("case", "list")  # the table, piped: not cut
    assert "Invalid value" in mqa("case", "list", "--format", "xml", code=2)


def test_review_and_user_listings_print_json_with_beijing_deadlines(
        mqa, tmp_path: Path) -> None:
    import json

    _set_up(mqa, tmp_path)
    people = json.loads(mqa("user", "list", "--format", "json"))
    assert {"name": "专家1", "email": "r1@pool.cn"}.items() <= next(
        p for p in people if p["email"] == "r1@pool.cn").items()
    assert json.loads(mqa("review", "list", "--format", "json")) == []
    assert "due_beijing" in mqa("review", "list", "--format", "csv")
