"""One application's whole path through the HTTP API, and the API's refusals on the way."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from mqa_workflow.standards.loader import load_standard
from tests.e2e.world import World

CODES = [item.code for item in load_standard("economic").scored_items()]


def ok(response, status: int = 200) -> dict | list:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


def advance(api: dict[str, TestClient], app_id: int, trigger: str, **extra: object) -> dict:
    return ok(api["admin"].post(f"/api/applications/{app_id}/transitions",
                                json={"trigger": trigger, **extra}))


def review(api: dict[str, TestClient], app_id: int, stage: str, percentage: int) -> None:
    consensus = f"/api/applications/{app_id}/consensus/{stage}"
    for submitted_before, role in enumerate(("reviewer", "reviewer2")):
        # independent scoring: before their own sheet is in, only "k of n submitted"
        hidden = ok(api[role].get(consensus))
        assert (hidden["visible"], hidden["items"], hidden["consensus"]) == (False, None, None)
        assert (hidden["submitted"], hidden["team"]) == (submitted_before, 2)
        mine = [a for a in ok(api[role].get("/api/assignments", params={"stage": stage}))
                if a["application_id"] == app_id]
        assert len(mine) == 1, mine
        path = f"/api/assignments/{mine[0]['id']}/sheet"
        if stage == "document_review":  # the statement first; it holds for every stage
            assert api[role].put(path, json={"scores": {}}).status_code == 403
            ok(api[role].post(f"/api/applications/{app_id}/no-conflict-statement"), 201)
        draft = ok(api[role].put(path, json={"scores": {CODES[0]: percentage}, "comments": {
            "1.1": {"strengths": "理念体系完整", "opportunities": "对标不足"}}}))
        assert draft["status"] == "draft"
        sheet = ok(api[role].put(path, json={
            "scores": {c: percentage for c in CODES}, "submit": True}))
        assert sheet["status"] == "submitted"
        locked = api[role].put(path, json={"scores": {CODES[0]: 0}})
        assert locked.status_code == 409 and "locked" in locked.json()["detail"]
        shown = ok(api[role].get(consensus))
        assert shown["visible"] and shown["items"][CODES[0]]["values"]
    spread = ok(api["reviewer"].get(f"/api/applications/{app_id}/consensus/{stage}"))
    assert not any(item["flagged"] for item in spread["items"].values())
    assert api["reviewer2"].post(f"/api/applications/{app_id}/consensus/{stage}",
                                 json={"decisions": {}}).status_code == 409  # not the leader
    ok(api["reviewer"].post(f"/api/applications/{app_id}/consensus/{stage}",
                            json={"decisions": {}}), 201)


def test_one_application_from_review_to_the_grand_award_and_its_feedback(
        world: World, api: dict[str, TestClient]) -> None:
    a = world.application_id
    refused = api["admin"].post(f"/api/applications/{a}/transitions",
                                json={"trigger": "shortlist"})
    assert refused.status_code == 409
    assert any("is not submitted" in p for p in refused.json()["problems"])

    review(api, a, "document_review", 70)
    advance(api, a, "shortlist")
    ok(api["admin"].put(f"/api/applications/{a}/site-visit", json={
        "scheduled_on": "2026-09-01", "issues_to_verify": ["核实顾客满意度数据"]}))
    review(api, a, "site_visit", 80)
    waiting = ok(api["admin"].get(f"/api/applications/{a}/waiting-for"))
    assert "the site-visit report is not submitted" in waiting["finish_site_visit"]
    partial = api["reviewer"].post(f"/api/applications/{a}/site-visit/report",
                                   json={"report": "现场核实无误"})
    assert partial.status_code == 422  # a finding for each issue to verify, not free text
    assert partial.json()["problems"] == [
        "核实顾客满意度数据: no finding (every issue to verify needs one)"]
    finding = {"issue": "核实顾客满意度数据", "verified": "yes", "finding": "第三方测评，数据真实"}
    visit = ok(api["reviewer"].post(f"/api/applications/{a}/site-visit/report",
                                    json={"report": "现场核实无误", "findings": [finding]}))
    assert visit["findings"] == [finding]
    advance(api, a, "finish_site_visit")  # the consolidation task runs after the commit
    advance(api, a, "refer_to_committee")

    before = ok(api["committee"].get("/api/committee/applications"))
    assert [x["id"] for x in before] == [a] and before[0]["score"]["total"] == 380
    assert "answers" not in before[0]  # results, not the materials
    assert before[0]["site_visit_findings"] == [finding]  # the visit's finding per issue
    ok(api["committee"].post(f"/api/applications/{a}/votes", json={"choice": "grand"}), 201)
    # A vote may be changed until the tally closes: replaced, never counted twice.
    ok(api["committee"].post(f"/api/applications/{a}/votes", json={"choice": "none"}), 201)
    assert ok(api["committee"].get(f"/api/applications/{a}/tally"))["outcome"] == "none"
    ok(api["committee"].post(f"/api/applications/{a}/votes", json={"choice": "grand"}), 201)
    assert ok(api["committee"].get(f"/api/applications/{a}/tally"))["outcome"] == "grand"
    advance(api, a, "award_grand")
    late = api["committee"].post(f"/api/applications/{a}/votes", json={"choice": "none"})
    assert late.status_code in (403, 409)  # the tally has closed (and the case left it)
    decided = ok(api["admin"].get(f"/api/applications/{a}/tally"))
    assert (decided["outcome"], decided["frozen"]) == ("grand", True)  # not recounted
    assert ok(api["admin"].get(f"/api/applications/{a}"))["decided_award"] == "grand"

    mine = ok(api["applicant"].get(f"/api/applications/{a}"))
    assert mine["state"] == "awarded_grand" and mine["state_label"] == "获大奖"
    early = api["applicant"].get(f"/api/applications/{a}/feedback")
    assert early.status_code == 403 and "not released" in early.json()["detail"]
    released = ok(api["admin"].post(f"/api/cycles/{world.cycle_id}/release-results"))
    assert released["feedback_reports_announced"] == 1
    assert released["cycle"]["results_released_at"]
    feedback = api["applicant"].get(f"/api/applications/{a}/feedback")
    assert feedback.status_code == 200 and "380.00" in feedback.text
    assert "理念体系完整" not in feedback.text  # a reviewer's own note stays with the team
    history = ok(api["applicant"].get(f"/api/applications/{a}/history"))
    assert [h["trigger"] for h in history][-1] == "award_grand"
    inbox = ok(api["applicant"].get("/api/notifications"))
    assert inbox["unread"] >= 1 and any(n["event"] == "decision" for n in inbox["notices"])

    results = ok(api["committee"].get(f"/api/cycles/{world.cycle_id}/results"))
    assert results["classes"]["economic"][0]["score"]["rank"] == 1
    csv = api["admin"].get(f"/api/cycles/{world.cycle_id}/export", params={"format": "csv"})
    assert csv.status_code == 200 and "深圳甲精密制造有限公司" in csv.content.decode("utf-8-sig")
    xlsx = api["admin"].get(f"/api/cycles/{world.cycle_id}/export", params={"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[0][0] == "类别" and rows[1][2] == a
    assert rows[1][rows[0].index("综合得分")] == 380


def test_a_stale_version_is_a_409_and_nothing_moves(world: World,
                                                    api: dict[str, TestClient]) -> None:
    b = world.other_application_id
    version = ok(api["admin"].get(f"/api/applications/{b}"))["version"]
    ok(api["admin"].put(f"/api/applications/{b}/answers", json={"profile": "概况"}))
    stale = api["admin"].post(f"/api/applications/{b}/transitions",
                              json={"trigger": "withdraw", "reason": "x", "version": version})
    assert stale.status_code == 409 and "changed since you read it" in stale.json()["detail"]
    assert ok(api["admin"].get(f"/api/applications/{b}"))["state"] == "draft"


def test_refusals_list_every_problem_at_once(world: World, api: dict[str, TestClient]) -> None:
    b = world.other_application_id
    submit = api["other_applicant"].post(f"/api/applications/{b}/transitions",
                                         json={"trigger": "submit"})
    assert submit.status_code == 409
    assert len(submit.json()["problems"]) == 1 + len(CODES)  # the profile and every item
    answers = api["other_applicant"].put(f"/api/applications/{b}/answers",
                                         json={"items": {"9.9": "x", "8.8": "y"}})
    assert answers.status_code == 422 and len(answers.json()["problems"]) == 2
    malformed = api["admin"].post(f"/api/applications/{b}/transitions", json={"trigger": 5})
    assert malformed.status_code == 422 and malformed.json()["problems"]


def test_documents_are_checked_stored_and_downloaded_by_those_who_may(
        world: World, api: dict[str, TestClient]) -> None:
    b = world.other_application_id
    path = f"/api/applications/{b}/documents"
    bad = api["other_applicant"].post(path, files={"file": ("x.exe", b"MZ", "application/x")})
    assert bad.status_code == 422 and "not accepted" in bad.json()["problems"][0]
    doc = ok(api["other_applicant"].post(path, files={
        "file": ("营业执照.pdf", b"%PDF-1.4 x", "application/pdf")}), 201)
    download = api["other_applicant"].get(f"/api/documents/{doc['id']}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 x"
    assert api["applicant"].get(f"/api/documents/{doc['id']}").status_code == 404


def test_bulk_advance_dry_run_moves_nothing_and_says_why(world: World,
                                                         api: dict[str, TestClient]) -> None:
    dry = ok(api["admin"].post("/api/transitions/bulk", json={
        "cycle_id": world.cycle_id, "trigger": "shortlist", "dry_run": True}))
    assert dry["moved"] == [] and list(dry["refused"]) == [str(world.application_id)]
    assert ok(api["admin"].get(f"/api/applications/{world.application_id}"))[
        "state"] == "document_review"


def test_operators_see_the_figures_and_can_requeue(world: World,
                                                   api: dict[str, TestClient]) -> None:
    figures = ok(api["operator"].get("/api/operations"))
    assert figures["broker"] is None and figures["outbox"]["pending"] == 0
    assert set(figures["overdue_counts"]) >= {"review", "consensus"}
    assert ok(api["operator"].post("/api/operations/emails/retry", json={}))["queued"] == 0
    assert api["operator"].post("/api/operations/tasks/999/retry").status_code == 404


def test_a_recused_committee_member_sees_neither_the_application_nor_its_vote(
        world: World, api: dict[str, TestClient]) -> None:
    from mqa_workflow.accounts.service import get_user
    from mqa_workflow.applications.models import Application
    from mqa_workflow.reviews.models import ConflictOfInterest

    with world.database.session() as session:
        member = get_user(session, world.emails["committee"])
        session.add(ConflictOfInterest(user_id=member.id, application_id=world.application_id,
                                       rule="self_declared", reason="曾任该企业顾问"))
        application = session.get(Application, world.application_id)
        assert application is not None
        application.state = "committee_decision"  # test set-up: the committee stage
    a = world.application_id
    client = api["committee"]
    assert client.get("/api/committee/applications").json() == []
    assert client.get(f"/api/applications/{a}").status_code == 403
    assert client.post(f"/api/applications/{a}/votes",
                       json={"choice": "grand"}).status_code == 403
    assert client.get(f"/api/applications/{a}/tally").status_code == 403


def test_malformed_input_is_a_4xx_never_a_500(world: World, api: dict[str, TestClient]
                                              ) -> None:
    admin = api["admin"]
    assert admin.get("/api/applications/99999999999").status_code == 422
    assert admin.get("/api/applications/abc").status_code == 422
    assert admin.post("/api/cycles", content=b"{not json",
                      headers={"Content-Type": "application/json"}).status_code == 422
    assert admin.put(f"/api/applications/{world.other_application_id}/answers",
                     json={"items": {"1.1": 5}}).status_code == 422
    assert admin.get("/admin/cases/99999999999999999999").status_code == 422
