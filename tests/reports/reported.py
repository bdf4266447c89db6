"""An application taken to the grand award through the API with scores that differ item by
item (so the bands differ) and the team's agreed feedback, for the report's tests and its
Playwright test. The reviewers' own notes carry a marker the report must never show."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mqa_workflow.standards.loader import load_standard
from tests.e2e.world import World
from tests.web.test_api_flow import advance, ok

ECONOMIC = load_standard("economic")
# document review: 50 % on process items, 40 % on results; the site visit a little higher,
# and 1.1 at 90 (卓越's 90–100 band), 2.3 at 20 (the 10–25 band)
DOCUMENT = {i.code: 50 if i.kind == "process" else 40 for i in ECONOMIC.scored_items()}
VISIT = {i.code: 75 if i.kind == "process" else 60 for i in ECONOMIC.scored_items()} | {
    "1.1": 90, "2.3": 20}
RAW_NOTE = "某评审员个人笔记：不应出现在反馈报告中"
AGREED = {
    "summary": "贵单位质量文化深厚，战略落地有力，结果指标的对标仍需加强。",
    "categories": {
        "1": {"strengths": "以“质量立企”为核心的文化理念体系完整，领导层率先垂范。",
              "opportunities": "领导绩效的评价指标尚未与同行标杆比较。"},
        "2": {"strengths": "战略制定过程系统，年度目标分解到部门。",
              "opportunities": "战略规划的结果缺少三年以上的趋势数据。"},
    },
}
ISSUE = "核实顾客满意度数据"


def score(api: dict[str, TestClient], a: int, stage: str, percentages: dict[str, int]
          ) -> None:
    """Both reviewers submit ``percentages`` (no spread), with a personal note on 1.1;
    the leader records the consensus."""
    for role in ("reviewer", "reviewer2"):
        mine = [x for x in ok(api[role].get("/api/assignments", params={"stage": stage}))
                if x["application_id"] == a]
        if stage == "document_review":
            ok(api[role].post(f"/api/applications/{a}/no-conflict-statement"), 201)
        ok(api[role].put(f"/api/assignments/{mine[0]['id']}/sheet", json={
            "scores": percentages, "submit": True,
            "comments": {"1.1": {"strengths": RAW_NOTE, "opportunities": RAW_NOTE}}}))
    ok(api["reviewer"].post(f"/api/applications/{a}/consensus/{stage}",
                            json={"decisions": {}}), 201)


def to_grand_award(api: dict[str, TestClient], world: World, *, agreed: bool = True) -> None:
    """Document review, shortlist, site visit (one finding), the committee's grand award;
    with ``agreed`` the site-visit leader writes the team's agreed feedback."""
    a = world.application_id
    score(api, a, "document_review", DOCUMENT)
    advance(api, a, "shortlist")
    ok(api["admin"].put(f"/api/applications/{a}/site-visit", json={
        "scheduled_on": "2026-09-01", "issues_to_verify": [ISSUE]}))
    score(api, a, "site_visit", VISIT)
    if agreed:
        ok(api["reviewer"].put(f"/api/applications/{a}/consensus/site_visit/feedback",
                               json=AGREED))
    ok(api["reviewer"].post(f"/api/applications/{a}/site-visit/report", json={
        "report": "现场核实无误", "findings": [
            {"issue": ISSUE, "verified": "yes", "finding": "第三方测评，数据真实"}]}))
    advance(api, a, "finish_site_visit")
    advance(api, a, "refer_to_committee")
    ok(api["committee"].post(f"/api/applications/{a}/votes", json={"choice": "grand"}), 201)
    advance(api, a, "award_grand")


def release(api: dict[str, TestClient], world: World) -> None:
    ok(api["admin"].post(f"/api/cycles/{world.cycle_id}/release-results"))
