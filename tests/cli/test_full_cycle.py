"""One application driven from draft to the grand award with nothing but ``mqa`` commands."""

from __future__ import annotations

import json
from pathlib import Path

from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.standards.loader import load_standard

USCC = make_uscc("91440300MA5F00002")


def _file(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def _set_up(mqa, tmp_path: Path) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    rules = _file(tmp_path, "rules.json", {"reviewers_per_application": 2,
                                           "site_visit_team_size": 2, "committee_quorum": 1})
    mqa("cycle", "create", "--year", "2026", "--classes", "economic", "--rules", rules)
    mqa("applicant", "add", "--name", "深圳某精密制造有限公司", "--uscc", USCC,
        "--industry", "先进制造", "--district", "宝安区")
    mqa("user", "add", "--name", "李四", "--email", "li@corp.cn", "--role",
        "applicant_contact", "--organization", USCC)
    for n, lead in ((1, True), (2, False), (3, False)):
        mqa("user", "add", "--name", f"专家{n}", "--email", f"r{n}@pool.cn", "--role", "reviewer")
        employment = (["--employment", f"{USCC},深圳某精密制造有限公司,2019-01-01"]
                      if n == 3 else [])
        mqa("reviewer", "add", f"r{n}@pool.cn", "--classes", "economic", "--industries",
            "先进制造", *(["--may-lead"] if lead else []), *employment)
    mqa("user", "add", "--name", "委员", "--email", "c1@committee.cn", "--role",
        "committee_member")


def _review(mqa, tmp_path: Path, stage: str, percentage: int) -> None:
    scores = {i.code: percentage for i in load_standard("economic").scored_items()}
    sheet = _file(tmp_path, f"{stage}.json", {"scores": scores, "comments": {
        "1.1": {"strengths": "文化理念体系完整", "opportunities": "对标分析不足"}}})
    for reviewer in ("r1@pool.cn", "r2@pool.cn"):
        mqa("review", "sheet", "1", "--file", sheet, "--stage", stage, "--submit",
            "--as", reviewer)
    mqa("review", "consensus", "1", "--stage", stage, "--decisions",
        _file(tmp_path, "none.json", {}), "--as", "r1@pool.cn")


def _to_document_review(mqa, tmp_path: Path) -> None:
    """The set-up, then application 1 written, submitted, found eligible and staffed."""
    _set_up(mqa, tmp_path)
    mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant", USCC)
    answers = {i.code: "做法与成效" for i in load_standard("economic").scored_items()}
    mqa("application", "answer", "1", "--file",
        _file(tmp_path, "a.json", {"profile": "概况", "items": answers}))
    mqa("application", "submit", "1", "--as", "li@corp.cn")
    mqa("case", "advance", "1", "begin_eligibility_check")
    mqa("case", "advance", "1", "confirm_eligible")  # the assignment task runs here


def test_a_whole_cycle_from_the_command_line(mqa, tmp_path: Path) -> None:
    _to_document_review(mqa, tmp_path)

    listed = mqa("review", "list", "--application", "1")
    assert "专家1" in listed and "专家2" in listed and "专家3" not in listed  # 3 is conflicted
    assert "conflict of interest" in mqa("review", "open", "1", "--as", "r3@pool.cn", code=3)
    assert "回避承诺" in mqa("review", "open", "1", "--as", "r2@pool.cn", code=3)
    for reviewer in ("r1@pool.cn", "r2@pool.cn"):
        assert "本人承诺" in mqa("review", "confirm", "1", "--yes", "--as", reviewer)
    assert "做法与成效" in mqa("review", "open", "1", "--as", "r2@pool.cn")
    refused = mqa("case", "advance", "1", "shortlist", code=4)
    assert "is not submitted" in refused

    _review(mqa, tmp_path, "document_review", 70)
    mqa("case", "advance", "1", "shortlist")
    mqa("sitevisit", "schedule", "1", "--on", "2026-09-01", "--issue", "核实顾客满意度数据")
    _review(mqa, tmp_path, "site_visit", 80)
    assert "site-visit report is not submitted" in mqa("case", "advance", "1",
                                                       "finish_site_visit", code=4)
    assert "must be an object" in mqa("sitevisit", "report", "1", "--file",
                                      _file(tmp_path, "r.txt", "现场核实无误"),
                                      "--as", "r1@pool.cn", code=2)
    report = "summary: 现场核实无误\nfindings:\n  - issue: 核实顾客满意度数据\n" \
             "    verified: yes\n    finding: 第三方测评，数据真实\n"
    mqa("sitevisit", "report", "1", "--file", _file(tmp_path, "r.yaml", report),
        "--as", "r1@pool.cn")
    mqa("case", "advance", "1", "finish_site_visit")  # the consolidation task runs here
    mqa("case", "advance", "1", "refer_to_committee")
    mqa("committee", "vote", "1", "grand", "--as", "c1@committee.cn")
    assert "outcome: grand" in mqa("committee", "tally", "1")
    mqa("case", "advance", "1", "award_grand")

    shown = mqa("case", "show", "1")
    assert "awarded_grand" in shown and "nothing more to do" in shown
    out = tmp_path / "feedback.html"
    early = mqa("report", "feedback", "1", "--out", str(out), "--as", "li@corp.cn", code=6)
    assert "评审结果尚未发布" in early and not out.exists()  # the applicant waits for release
    mqa("report", "feedback", "1", "--out", str(out))  # the office reads it any time
    html = out.read_text(encoding="utf-8")
    # 0.4 × 350 + 0.6 × 400 = 380 points
    assert "综合得分：<strong>380.00</strong>" in html
    assert "文化理念体系完整" not in html  # a reviewer's own note: not the team's agreed text
    released = mqa("cycle", "release-results", "1")
    assert "1 applicant(s) told their feedback report is ready" in released
    mqa("report", "feedback", "1", "--out", str(out), "--as", "li@corp.cn")
    assert "were released on" in mqa("cycle", "release-results", "1", code=3)
    verified = mqa("audit", "verify")
    # 15: the release rendered the report's PDF once and recorded its hash
    assert "audit trail intact: 15 record(s) in 2 chain(s) verified" in verified
