"""The feedback report (反馈报告): what it says (points against the maximum per category,
sub-category and item, each item's band in the scoring guide's words, items by name), the
team's agreed text instead of the reviewers' notes, the charts, the PDF with its Chinese
font, the command, and who may read it when."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from mqa_workflow.applications.models import Application
from mqa_workflow.reports.feedback import feedback_report, radar_axes
from mqa_workflow.reports.pdf import html_to_pdf
from mqa_workflow.reports.service import render_feedback
from mqa_workflow.reviews.models import ConsensusSheet
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.web.app import create_app
from tests.e2e.world import World
from tests.reports.reported import (
    AGREED,
    DOCUMENT,
    RAW_NOTE,
    VISIT,
    release,
    score,
    to_grand_award,
)
from tests.web.test_api_flow import ok
from tests.web.test_pages import sign_in


@pytest.fixture
def awarded(world: World, api: dict[str, TestClient]) -> World:
    to_grand_award(api, world)
    return world


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get("/Font", {})
        names |= {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    return names


def test_the_report_gives_each_category_sub_total_and_item_with_its_band_and_meaning(
        awarded: World) -> None:
    with awarded.database.session() as session:
        application = session.get(Application, awarded.application_id)
        report = feedback_report(session, application)
    standard = load_standard("economic")
    assert report.basis == "现场评审"  # the last stage the team scored item by item
    # per category: the site visit's points against the category's maximum
    leadership = report.categories[0]
    assert (leadership.code, leadership.name, leadership.maximum) == ("1", "领导", 80)
    # 1.1 at 90 % of 20, 1.2 at 75 % of 20, 1.3 (results) at 60 % of 40
    assert leadership.points == Decimal("18") + Decimal("15") + Decimal("24")
    assert [(r.code, r.name, r.percentage, r.points) for r in leadership.all_items] == [
        ("1.1", "文化引领", 90, Decimal("18.00")), ("1.2", "组织治理", 75, Decimal("15.00")),
        ("1.3", "领导的结果", 60, Decimal("24.00"))]
    # the economic class's own bands, with the guide's descriptors as their meaning
    top, low = leadership.all_items[0].band, report.categories[1].all_items[2].band
    assert (top.label, top.index, top.level) == ("90–100%", 5, "")
    assert any("全部有系统、有效的规划和方法体系" in m for m in top.meaning)
    assert (report.categories[1].all_items[2].code, low.label) == ("2.3", "10–25%")
    assert low.meaning[0].startswith("水平：基本指标少于3个")  # the factor named, Le → 水平
    # the earlier stage beside each item, and every stage's category subtotals
    assert leadership.all_items[0].earlier == [("材料评审", DOCUMENT["1.1"])]
    assert [s.name for s in report.stages] == ["材料评审", "现场评审"]
    assert sum(c.points for c in report.categories) == report.stages[1].total
    assert report.stages[1].total == sum(
        Decimal(i.points) * VISIT[i.code] / 100 for i in standard.scored_items())


def test_a_class_with_sub_categories_reports_them_and_its_bands_are_the_named_levels(
        awarded: World) -> None:
    """The five other classes: sub-categories between the categories and the items, and
    the process guide's five named levels (一般水平 … 卓越水平)."""
    management = load_standard("management")
    percentages = {i.code: 85 if i.kind == "process" else 45
                   for i in management.scored_items()}
    with awarded.database.session() as session:
        application = session.get(Application, awarded.application_id)
        application.award_class = "management"
        for sheet in session.scalars(select(ConsensusSheet)):
            sheet.percentages = percentages
        session.flush()
        report = feedback_report(session, application)
        html = render_feedback(session, application)
        session.rollback()
    first = report.categories[0]
    assert [(s.code, s.name, s.maximum) for s in first.sub_categories] == [
        ("1.1", "领导力", 60), ("1.2", "规划定位", 60)]
    assert first.sub_categories[0].points == Decimal(60) * 85 / 100
    process = first.sub_categories[0].items[0]
    assert (process.band.label, process.band.level) == ("80–100%", "卓越水平")
    results = report.categories[2].all_items[0]
    assert (results.kind, results.band.label, results.band.level) == ("结果", "40–60%", "")
    assert "80–100% 卓越水平" in html and "领导力" in html
    # three categories: the radar is drawn over the eight sub-categories
    assert [name for _, name, _ in radar_axes(management)][:2] == ["领导力", "规划定位"]


def test_the_page_shows_the_agreed_text_never_the_reviewers_notes_and_draws_its_charts(
        awarded: World) -> None:
    with awarded.database.session() as session:
        html = render_feedback(session, session.get(Application, awarded.application_id))
    assert RAW_NOTE not in html
    assert AGREED["summary"] in html
    for said in AGREED["categories"].values():
        assert said["strengths"] in html and said["opportunities"] in html
    # numbers with two decimals against the maximum; items by their names
    assert "57.00 / 80（71.25%）" in html  # category 1 at the site visit
    assert "文化引领" in html and "战略规划的结果" in html
    # two inline SVG charts, drawn on the server, labelled with the categories' names
    charts = re.findall(r"<svg[^>]*class=\"chart (radar|bars)\"", html)
    assert charts == ["radar", "bars"]
    radar = html[html.index('class="chart radar"'):html.index("</svg>")]
    for name in ("领导", "战略规划", "聚焦顾客", "以人为本", "持续创新", "高质量的运营"):
        assert f">{name}<tspan" in radar
    assert "<script" not in html
    # the site visit's finding, the decision and a summary from the figures
    assert "<td>核实顾客满意度数据</td><td>已核实</td><td>第三方测评，数据真实</td>" in html
    assert "评审委员会决定：<strong>授予大奖</strong>" in html
    assert "得分率最高的类目是领导（71.25%）" in html
    # a stylesheet for paper: page size and numbers, the web's buttons left off
    assert "@page" in html and "@media print" in html and ".no-print" in html


def test_the_pdf_carries_the_chinese_text_with_the_cjk_font_embedded(awarded: World) -> None:
    with awarded.database.session() as session:
        html = render_feedback(session, session.get(Application, awarded.application_id))
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for words in ("反馈报告", "深圳甲精密制造有限公司", "文化引领", "90–100%",
                  AGREED["categories"]["1"]["strengths"][:12], "授予大奖"):
        assert words in text.replace(" ", "").replace("\n", ""), words
    assert any("WenQuanYi" in name for name in _fonts(pdf))  # subset, embedded


def test_the_command_writes_the_pdf_and_the_html(awarded: World, mqa: Callable[..., str],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MQA_DATABASE_URL", str(awarded.database.engine.url))
    a = str(awarded.application_id)
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    said = mqa("report", "feedback", a, "--format", "pdf", "--output", str(pdf))
    assert "feedback report (pdf) written" in said
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "文化引领" in _pdf_text(pdf.read_bytes())
    mqa("report", "feedback", a, "--output", str(html))
    assert "57.00 / 80" in html.read_text(encoding="utf-8")
    # the applicant waits for the release, on the command line as on the web
    refused = mqa("report", "feedback", a, "--format", "pdf", "-o", str(tmp_path / "early.pdf"),
                  "--as", awarded.emails["applicant"], code=6)
    assert "评审结果尚未发布" in refused and not (tmp_path / "early.pdf").exists()


def test_only_the_applicant_after_the_release_and_the_office_read_the_report_and_pdf(
        awarded: World, api: dict[str, TestClient]) -> None:
    a = awarded.application_id
    with TestClient(create_app(awarded.database), follow_redirects=False) as browser:
        sign_in(browser, awarded, "applicant")
        # before the release: no link on the application's page, the report and PDF refused
        assert 'id="feedback-pdf-link"' not in browser.get(f"/applications/{a}").text
        for path in (f"/applications/{a}/feedback", f"/applications/{a}/feedback.pdf"):
            early = browser.get(path)
            assert early.status_code == 403 and "尚未发布" in early.text
        assert api["applicant"].get(f"/api/applications/{a}/feedback.pdf").status_code == 403
        # the office any time
        office = api["admin"].get(f"/api/applications/{a}/feedback.pdf")
        assert office.status_code == 200 and office.content.startswith(b"%PDF-")
        release(api, awarded)
        page = browser.get(f"/applications/{a}").text
        assert f'href="/applications/{a}/feedback.pdf"' in page and "下载 PDF" in page
        report = browser.get(f"/applications/{a}/feedback")
        assert report.status_code == 200 and 'id="download-pdf"' in report.text
        pdf = browser.get(f"/applications/{a}/feedback.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert f'filename="feedback-{a}.pdf"' in pdf.headers["content-disposition"]
        assert "深圳甲精密制造有限公司" in _pdf_text(pdf.content)
    # never another organization's contact, nor a reviewer of the case
    assert api["other_applicant"].get(f"/api/applications/{a}/feedback.pdf").status_code == 404
    assert api["reviewer"].get(f"/api/applications/{a}/feedback.pdf").status_code == 403
    # once released, the agreed text the applicant may have read no longer changes
    late = api["reviewer"].put(f"/api/applications/{a}/consensus/site_visit/feedback",
                               json={"summary": "改写"})
    assert late.status_code == 409 and "released" in late.json()["detail"]


def test_only_the_leader_writes_the_agreed_feedback_over_a_recorded_consensus(
        world: World, api: dict[str, TestClient]) -> None:
    a = world.application_id
    path = f"/api/applications/{a}/consensus/document_review/feedback"
    early = api["reviewer"].put(path, json={"summary": "太早"})
    assert early.status_code == 409 and "not recorded yet" in early.json()["detail"]
    score(api, a, "document_review", DOCUMENT)
    assert api["reviewer2"].put(path, json={"summary": "组员"}).status_code == 409
    unknown = api["reviewer"].put(path, json={"categories": {"9": {"strengths": "x"}}})
    assert unknown.status_code == 422 and "category 9" in unknown.json()["problems"][0]
    saved = ok(api["reviewer"].put(path, json=AGREED))
    assert saved["agreed_feedback"]["categories"]["1"] == AGREED["categories"]["1"]
    # the team reads it on the consensus page, the leader's form keeps it
    with TestClient(create_app(world.database), follow_redirects=False) as browser:
        csrf = sign_in(browser, world, "reviewer")
        page = browser.get(f"/applications/{a}/consensus/document_review").text
        assert 'id="agreed-feedback"' in page and AGREED["summary"] in page
        assert RAW_NOTE in page  # the team's own notes beside the form, for the team
        posted = browser.post(f"/applications/{a}/consensus/document_review/feedback", data={
            "csrf_token": csrf, "summary": "改过的总体评价", "strengths_3": "顾客服务体系完善"})
        assert posted.status_code == 303
    again = ok(api["admin"].get(f"/api/applications/{a}/consensus/document_review"))
    assert again["consensus"]["agreed_feedback"] == {
        "summary": "改过的总体评价",
        "categories": {"3": {"strengths": "顾客服务体系完善", "opportunities": ""}}}
