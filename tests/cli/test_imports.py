"""`mqa applicant|reviewer import` and their templates: the web's import functions from the
command line, every bad row by its number, nothing stored unless all are good, audited;
and `mqa cycle create` refuses a cycle whose calendar the notice could not read."""

from __future__ import annotations

from pathlib import Path


def _admin(mqa) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")


def test_applicants_import_from_the_template_and_refuse_a_bad_row(mqa, tmp_path: Path
                                                                  ) -> None:
    _admin(mqa)
    template = tmp_path / "applicants.xlsx"
    mqa("applicant", "template", "--out", str(template))
    assert "1 applicants imported" in mqa("applicant", "import", str(template))
    bad = tmp_path / "bad.csv"
    bad.write_text("name,uscc,industry,district\n"
                   "深圳丙公司,91440300MA5F00002D,电子信息,南山区\n"
                   "深圳丁公司,91440300708461136T,电子信息,南山区\n"
                   ",bad-code,,福田区\n", encoding="utf-8")
    refused = " ".join(mqa("applicant", "import", str(bad), code=2).split())
    assert "row 3:" in refused and "already registered" in refused
    assert "row 4:" in refused and "row 2:" not in refused


def test_reviewers_import_adds_people_to_the_pool(mqa, tmp_path: Path) -> None:
    _admin(mqa)
    template = tmp_path / "reviewers.csv"
    mqa("reviewer", "template", "--out", str(template))
    assert "1 reviewers imported" in mqa("reviewer", "import", str(template))
    assert "li@pool.cn" in mqa("user", "list")
    bad = tmp_path / "bad.csv"
    bad.write_text("email,name,classes,capacity\nwu@pool.cn,吴专家,economic,many\n",
                   encoding="utf-8")
    refused = " ".join(mqa("reviewer", "import", str(bad), code=2).split())
    assert "row 2: capacity 'many'" in refused
    assert "wu@pool.cn" not in mqa("user", "list")


def test_a_cycle_with_an_unreadable_calendar_is_refused_when_created(mqa, tmp_path: Path
                                                                     ) -> None:
    _admin(mqa)
    rules = tmp_path / "rules.yaml"
    rules.write_text("optional_stages: [public_notice]\n"
                     "calendar: {holidays: ['2027-02-30']}\n", encoding="utf-8")
    refused = " ".join(mqa("cycle", "create", "--year", "2027", "--rules", str(rules),
                           code=2).split())
    assert "rules: calendar:" in refused and "2027-02-30" in refused
    assert "no award cycle" in mqa("cycle", "show", "1", code=2)
