"""Applicants see no scores, ranks or feedback until the office releases the cycle's
results, and never vote counts or who reviewed or voted: on the pages, in the API, the
inbox, the e-mails and the history, before and after the release."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.config import get_settings
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.web.app import create_app
from tests.e2e.world import World, build, signed_in_clients
from tests.smtp import SmtpServer, body_html, body_text
from tests.web.test_api_flow import advance, ok, review
from tests.web.test_pages import sign_in

# What the office knows and the applicant must never read.
INTERNAL_REASON = "3 票赞成 0 票反对（c1@committee.cn）"
IDENTITIES = ("c1@committee.cn", "专家一", "专家二", "r1@pool.cn", "r2@pool.cn",
              "admin@office.sz")
APPLICANT = "li@corp-a.cn"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    server.start()
    yield server
    server.stop()
    get_settings.cache_clear()


@pytest.fixture
def decided(sqlite_database: Database, smtp: SmtpServer
            ) -> Iterator[tuple[World, dict[str, TestClient]]]:
    """Application A reviewed, visited, voted and awarded the grand award, with the
    office's internal note on the vote as the decision's reason; results not released."""
    world = build(sqlite_database)
    with signed_in_clients(world) as api:
        a = world.application_id
        review(api, a, "document_review", 70)
        advance(api, a, "shortlist")
        ok(api["admin"].put(f"/api/applications/{a}/site-visit", json={
            "scheduled_on": "2026-09-01", "issues_to_verify": ["核实顾客满意度数据"]}))
        review(api, a, "site_visit", 80)
        ok(api["reviewer"].post(f"/api/applications/{a}/site-visit/report", json={
            "report": "现场核实无误", "findings": [
                {"issue": "核实顾客满意度数据", "verified": "yes", "finding": "数据真实"}]}))
        advance(api, a, "finish_site_visit")
        advance(api, a, "refer_to_committee")
        ok(api["committee"].post(f"/api/applications/{a}/votes", json={"choice": "grand"}), 201)
        advance(api, a, "award_grand", reason=INTERNAL_REASON)
        yield world, api


def _applicant_mail(smtp: SmtpServer) -> list[str]:
    return [f"{m['Subject']}\n{body_text(m)}\n{body_html(m)}" for m in smtp.messages
            if m["To"] == APPLICANT]


def _nothing_internal(text: str) -> None:
    for secret in (INTERNAL_REASON, "票赞成", *IDENTITIES):
        assert secret not in text, secret


def _page(browser: TestClient, path: str) -> tuple[int, str]:
    response = browser.get(path)
    return response.status_code, response.text


def test_before_the_release_the_applicant_sees_the_decision_but_no_score_rank_or_feedback(
        decided: tuple[World, dict[str, TestClient]], smtp: SmtpServer) -> None:
    world, api = decided
    a = world.application_id
    # API: the feedback report is refused with the reason; the application shows no score
    early = api["applicant"].get(f"/api/applications/{a}/feedback")
    assert early.status_code == 403 and "not released" in early.json()["detail"]
    mine = ok(api["applicant"].get(f"/api/applications/{a}"))
    assert mine["state"] == "awarded_grand" and "score" not in mine and "rank" not in mine
    # inbox: the decision, without the office's note; no "feedback report ready" yet
    inbox = ok(api["applicant"].get("/api/notifications"))["notices"]
    assert "decision" in [n["event"] for n in inbox]
    assert "feedback_report_ready" not in [n["event"] for n in inbox]
    for notice in inbox:
        _nothing_internal(str(ok(api["applicant"].get(f"/api/notifications/{notice['id']}"))))
    # e-mail: the same
    mails = _applicant_mail(smtp)
    assert any("获大奖" in m for m in mails) and not any("反馈报告已生成" in m for m in mails)
    for mail in mails:
        _nothing_internal(mail)
    # history: the state changes only, no actor, no data, no internal reason
    history = ok(api["applicant"].get(f"/api/applications/{a}/history"))
    assert history[-1]["to_state"] == "awarded_grand"
    assert all(h["actor"] == "" and h["data"] == {} for h in history)
    _nothing_internal(str(history))
    # the office sees everything
    office = ok(api["admin"].get(f"/api/applications/{a}/history"))
    assert office[-1]["reason"] == INTERNAL_REASON and office[-1]["actor"] == "admin@office.sz"
    # pages: no feedback button, the feedback page refused
    with TestClient(create_app(world.database), follow_redirects=False) as browser:
        sign_in(browser, world, "applicant")
        status, page = _page(browser, f"/applications/{a}")
        assert status == 200 and 'id="feedback-link"' not in page
        _nothing_internal(page)
        status, page = _page(browser, f"/applications/{a}/feedback")
        assert status == 403 and "尚未发布" in page


def test_after_the_release_the_feedback_appears_everywhere_still_without_votes_or_names(
        decided: tuple[World, dict[str, TestClient]], smtp: SmtpServer) -> None:
    world, api = decided
    a = world.application_id
    before = len(_applicant_mail(smtp))
    released = ok(api["admin"].post(f"/api/cycles/{world.cycle_id}/release-results"))
    assert released["feedback_reports_announced"] == 1
    # the release is audited, and the chain holds
    with world.database.session() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.trigger == "release_results")).one()
        assert record.actor == "admin@office.sz" and record.data["cycle_id"] == world.cycle_id
        assert session.get(AwardCycle, world.cycle_id).results_released_at is not None
        assert verify_chain(session)[1] is None
    # API: the report, with score and rank, without names or votes
    report = api["applicant"].get(f"/api/applications/{a}/feedback")
    assert report.status_code == 200 and "380.00" in report.text and "排名第 1" in report.text
    _nothing_internal(report.text)
    # inbox and e-mail: exactly one "feedback report ready", sent on the release
    inbox = ok(api["applicant"].get("/api/notifications"))["notices"]
    assert [n["event"] for n in inbox].count("feedback_report_ready") == 1
    new_mail = _applicant_mail(smtp)[before:]
    assert len(new_mail) == 1 and "反馈报告已生成" in new_mail[0]
    _nothing_internal(new_mail[0])
    # history: still without actors or the internal reason (the release is the cycle's)
    history = ok(api["applicant"].get(f"/api/applications/{a}/history"))
    _nothing_internal(str(history))
    # pages: the button appears and leads to the report
    with TestClient(create_app(world.database), follow_redirects=False) as browser:
        sign_in(browser, world, "applicant")
        status, page = _page(browser, f"/applications/{a}")
        assert status == 200 and 'id="feedback-link"' in page
        status, page = _page(browser, f"/applications/{a}/feedback")
        assert status == 200 and "380.00" in page
        _nothing_internal(page)
    # a second release is refused, saying when the first was
    again = api["admin"].post(f"/api/cycles/{world.cycle_id}/release-results")
    assert again.status_code == 409 and "were released on" in again.json()["detail"]


def test_the_release_is_refused_while_a_decision_is_open_and_the_page_says_why(
        sqlite_database: Database) -> None:
    world = build(sqlite_database)  # application A in document review, B a draft
    with signed_in_clients(world) as api:
        refused = api["admin"].post(f"/api/cycles/{world.cycle_id}/release-results")
        assert refused.status_code == 409
        assert any("document_review" in p and str(world.application_id) in p
                   for p in refused.json()["problems"])
        assert api["applicant"].post(
            f"/api/cycles/{world.cycle_id}/release-results").status_code == 403
    with TestClient(create_app(world.database), follow_redirects=False) as browser:
        sign_in(browser, world, "admin")
        board = browser.get(f"/admin/cycles/{world.cycle_id}").text
        assert 'id="release-refused"' in board and 'id="release-results"' not in board
        assert "暂不能发布" in board
