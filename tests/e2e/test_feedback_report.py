"""End to end in Debian's chromium at 1366×900: the applicant reads the feedback report.

The application has been reviewed (document review and site visit, the team's agreed
feedback written by the leader), awarded, and the office has released the cycle's
results. The applicant opens the application, follows "反馈报告", reads the totals, the
two charts, each item's band, the agreed strengths and opportunities, and downloads the
PDF. Screenshots: ``artifacts/e2e/feedback-report.png`` (the whole report) and
``artifacts/e2e/feedback-report-print.png`` (as it prints).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from tests.e2e.browser import ARTIFACTS
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build, signed_in_clients
from tests.reports.reported import AGREED, RAW_NOTE, release, to_grand_award
from tests.services import web_server


@pytest.fixture
def released(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    upgrade(url)
    database = Database(url)
    world = build(database)
    with signed_in_clients(world) as api:
        to_grand_award(api, world)
        release(api, world)
    yield world
    database.engine.dispose()


def test_the_applicant_reads_the_feedback_report_and_downloads_its_pdf(
        released: World, chromium: object) -> None:
    from playwright.sync_api import expect

    a = released.application_id
    with web_server(released.database) as base:
        applicant = Person(chromium, base, released.emails["applicant"], "applicant")
        page = applicant.page
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"/applications/{a}")
        expect(page.locator("#feedback-released")).to_contain_text("评审结果已发布")
        page.click("#feedback-link")
        expect(page.locator("h1")).to_have_text("反馈报告")
        expect(page.locator("#summary .total")).to_contain_text("/ 500")
        expect(page.locator("#decision")).to_contain_text("授予大奖")
        expect(page.locator(".agreed-summary")).to_contain_text(AGREED["summary"])
        # the charts are drawn in the page, labelled in Chinese, no script needed
        expect(page.locator("svg.chart.radar text", has_text="高质量的运营")).to_have_count(1)
        expect(page.locator("svg.chart.bars text", has_text="1.1 文化引领")).to_have_count(1)
        assert page.locator("script").count() == 0
        # each item with its band; the agreed text, not a reviewer's own note
        item = page.locator("#category-1 tr.item[data-item='1.1']")
        expect(item).to_contain_text("文化引领")
        expect(item.locator("td.band")).to_contain_text("90–100%")
        expect(page.locator("#category-1 .strengths")).to_contain_text(
            AGREED["categories"]["1"]["strengths"])
        expect(page.locator("body")).not_to_contain_text(RAW_NOTE)
        expect(page.locator("#site-visit-findings")).to_contain_text("已核实")
        page.screenshot(path=str(ARTIFACTS / "feedback-report.png"), full_page=True)

        # the PDF behind "下载 PDF": the same report, its Chinese text readable
        link = page.locator("#download-pdf")
        expect(link).to_have_text("下载 PDF")
        with page.expect_download() as download:
            link.click()
        saved = ARTIFACTS / "feedback-report.pdf"
        download.value.save_as(saved)
        pdf = saved.read_bytes()
        assert pdf.startswith(b"%PDF-")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "反馈报告" in text.replace(" ", "") and "文化引领" in text

        # as it prints: the page's buttons are left off
        page.emulate_media(media="print")
        expect(page.locator("#report-actions")).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "feedback-report-print.png"), full_page=True)
