"""End to end in Debian's chromium at 1366×900: a reviewer works through the score sheet.

From the task list (class, stage, due date in Beijing time with days left, progress) the
reviewer opens the task, confirms the no-conflict statement, reads item 1.1's guide, types
a percentage (its band lights up), moves to item 1.2 in the navigator, leaves the page
(the draft is saved on the way out) and comes back to find it kept, submits with one item
missing (the error sits beside that item, everything typed is still there), completes it
and submits. Screenshots: ``artifacts/e2e/sheet-*.png``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import attach_document
from mqa_workflow.clock import OFFICE_TZ, now
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ReviewAssignment, ScoreSheet
from mqa_workflow.standards.loader import load_standard
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build, to_document_review
from tests.migrated import migrated_sqlite
from tests.services import wait_for, web_server

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(width: int, height: int) -> bytes:
    """A plain PNG (a scanned certificate stands in): light paper with a red seal band."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + (b"\xb3\x26\x1e" if height // 3 < y < height // 2
                               else b"\xfa\xf7\xee") * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
CODES = [item.code for item in load_standard("economic").scored_items()]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = migrated_sqlite(tmp_path / 'sheet.sqlite3')
    database = Database(url)
    world = build(database, to_review=False)
    with database.session() as session:
        application = session.get(Application, world.application_id)
        assert application is not None
        attach_document(session, application, "营业执照.pdf", PDF)
        attach_document(session, application, "质量管理体系认证证书.png", png(480, 320))
    to_document_review(world)
    with database.session() as session:  # a due date five days ahead, 17:30 in Shenzhen
        due = (now().astimezone(OFFICE_TZ) + timedelta(days=5)).replace(
            hour=17, minute=30, second=0, microsecond=0)
        reviewer = get_user(session, world.emails["reviewer"])
        for assignment in session.query(ReviewAssignment).filter_by(reviewer_id=reviewer.id):
            assignment.due_at = due.astimezone(UTC)
    yield world
    database.engine.dispose()


def stored_sheet(world: World) -> ScoreSheet | None:
    with world.database.session() as session:
        reviewer = get_user(session, world.emails["reviewer"])
        assignment = session.query(ReviewAssignment).filter_by(reviewer_id=reviewer.id).one()
        sheet = session.query(ScoreSheet).filter_by(assignment_id=assignment.id).one_or_none()
        if sheet is not None:
            session.expunge(sheet)
        return sheet


def test_a_reviewer_scores_item_by_item_keeps_drafts_and_sees_errors_beside_items(
        world: World, chromium: object) -> None:
    from playwright.sync_api import expect

    with web_server(world.database) as base:
        reviewer = Person(chromium, base, world.emails["reviewer"], "reviewer")
        page = reviewer.page
        page.set_viewport_size({"width": 1366, "height": 900})

        # The task list: class, stage, the due date in Beijing time with days left, progress.
        page.goto("/tasks")
        row = page.locator("#tasks tbody tr").first
        expect(row.locator("[data-class]")).to_have_text("经济类")
        expect(row.locator("[data-stage-name]")).to_have_text("材料评审")
        due = datetime.now(OFFICE_TZ) + timedelta(days=5)
        expect(row.locator("[data-due]")).to_contain_text(f"{due:%Y-%m-%d} 17:30")
        expect(row.locator("[data-due]")).to_contain_text("剩余 5 天")
        expect(row.locator("[data-progress]")).to_contain_text("0 / 18")
        expect(row.locator("details.withdraw")).to_be_attached()  # 申报回避 / 拒绝任务
        reviewer.shot("sheet-01-tasks")

        page.click("a[data-stage=document_review]")
        page.click("#confirm-statement")

        # Item 1.1 in view with its requirement, guide points, bands and the answer.
        item = page.locator("#item-1\\.1")
        page.click("#item-nav [data-goto='1.1']")
        expect(item).to_be_visible()
        expect(page.locator("#item-1\\.2")).to_be_hidden()  # one item at a time
        expect(item.locator(".guide-pane")).to_contain_text("基本要求")
        expect(item.locator(".guide-pane")).to_contain_text("要点指引")
        expect(item.locator(".guide-pane")).to_contain_text("文化建立")
        expect(item.locator(".applicant-pane")).to_contain_text("文化引领：做法与成效")
        document = item.locator("a[data-document]").first
        expect(document).to_have_text("营业执照.pdf")
        # Opened in place: the side frame under the answer shows it (inline, not a download).
        document.click()
        viewer = item.locator(".doc-viewer")
        expect(viewer).to_be_visible()
        expect(viewer.locator("[data-name]")).to_have_text("营业执照.pdf")
        source = viewer.locator("iframe").get_attribute("src") or ""
        shown = page.request.get(source)
        assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
        assert shown.headers["content-disposition"].startswith("inline")
        assert page.request.get(item.locator("a[data-download]").first.get_attribute("href") or ""
                                ).status == 200  # the API's download, beside it
        item.locator("a[data-document]").nth(1).click()  # an image shows in the frame
        expect(viewer.locator("[data-name]")).to_have_text("质量管理体系认证证书.png")
        framed = page.frame_locator(".item-panel.current .doc-viewer iframe").locator("img")
        expect(framed).to_be_visible()  # shown in the frame, not refused by framing rules
        assert framed.evaluate("img => img.naturalWidth") == 480
        reviewer.shot("sheet-02a-document")
        viewer.locator("[data-close]").click()
        expect(viewer).to_be_hidden()
        # The sheet fits the screen: no 24,000-pixel page.
        assert page.evaluate("document.documentElement.scrollHeight") < 1400

        page.fill("input[name='pct_1.1']", "70")
        expect(item.locator("tr.band.chosen")).to_have_count(1)
        expect(item.locator("tr.band.chosen th")).to_contain_text("70–85%")
        expect(page.locator("#band-1\\.1")).to_contain_text("14.00 / 20")
        expect(page.locator("#live-total")).to_have_text("14.00")
        page.fill("textarea[name='strengths_1.1']", "文化理念体系完整，高层垂范")
        expect(page.locator("#save-state")).to_contain_text("草稿已自动保存")
        reviewer.shot("sheet-02-item-1.1")

        # The navigator: 1.1 is marked done, 1.2 opens in its place.
        page.click("#item-nav [data-goto='1.2']")
        expect(page.locator("#item-1\\.2")).to_be_visible()
        expect(item).to_be_hidden()
        expect(page.locator("#item-nav [data-goto='1.1']")).to_have_attribute("data-state", "done")
        expect(page.locator("#item-nav [data-goto='1.2']")).to_have_attribute("data-state", "todo")
        page.fill("input[name='pct_1.2']", "7")  # not a multiple of 5: said beside the item
        expect(page.locator("#error-1\\.2")).to_contain_text("得分率不符合评分指引")
        expect(page.locator("#item-nav [data-goto='1.2']")).to_have_attribute("data-state", "error")
        page.fill("input[name='pct_1.2']", "55")
        expect(page.locator("#error-1\\.2")).to_have_text("")
        page.fill("textarea[name='opportunities_1.2']", "战略分解到部门的链条不清")

        # Leaving at once, before the autosave's pause: saved on the way out (keepalive).
        # The keepalive request races the next page's: wait for it to land, then reload.
        page.goto("/tasks")
        wait_for(lambda: "1.2" in getattr(stored_sheet(world), "percentages", {}), 10,
                 "the draft saved on leaving the page")
        page.reload()
        expect(page.locator("#tasks [data-progress]").first).to_contain_text("2 / 18")
        page.click("a[data-stage=document_review]")
        expect(page.locator("#sheet-status")).to_have_attribute("data-status", "draft")
        expect(page.locator("#sheet-status")).to_have_text("草稿")
        assert page.input_value("input[name='pct_1.1']") == "70"
        assert page.input_value("input[name='pct_1.2']") == "55"
        assert page.input_value("textarea[name='opportunities_1.2']") == "战略分解到部门的链条不清"
        assert page.input_value("textarea[name='strengths_1.1']") == "文化理念体系完整，高层垂范"
        expect(page.locator("#live-total")).to_have_text("25.00")  # 20 × 70 % + 20 × 55 %

        # Submit with 6.3 missing: refused beside 6.3, which is opened; nothing lost.
        expect(page.locator("#item-1\\.3")).to_be_visible()  # the first item not scored
        for code in CODES[2:-1]:  # item after item with "next"
            page.fill(f"input[name='pct_{code}']", "60")
            if code != "6.2":
                page.locator(f"[id='item-{code}'] button[data-step='1']").click()
        page.fill("textarea[name='strengths_6.2']", "顾客满意度连续三年提升")
        page.click("#submit-sheet")
        expect(page.locator("#sheet-refused")).to_contain_text("有 1 个条款需要处理")
        expect(page.locator("#item-6\\.3")).to_be_visible()
        expect(page.locator("#error-6\\.3")).to_contain_text("尚未评分")
        expect(page.locator("#item-nav [data-goto='6.3']")).to_have_attribute("data-state", "error")
        assert page.input_value("textarea[name='strengths_6.2']") == "顾客满意度连续三年提升"
        assert page.input_value("input[name='pct_5.1']") == "60"
        expect(page.locator("#sheet-status")).to_have_attribute("data-status", "draft")
        expect(page.locator("#scored-count")).to_have_text("17")
        reviewer.shot("sheet-03-refused")
        kept = stored_sheet(world)  # the valid part is the draft now
        assert kept is not None and kept.status == "draft" and len(kept.percentages) == 17
        assert kept.comments["6.2"]["strengths"] == "顾客满意度连续三年提升"

        # Complete and submit: locked, the total as the server computes it.
        page.fill("input[name='pct_6.3']", "75")
        expect(page.locator("#error-6\\.3")).to_have_text("")
        expect(page.locator("#item-nav [data-goto='6.3']")).to_have_attribute("data-state", "done")
        page.click("#submit-sheet")
        expect(page.locator("#sheet-status")).to_have_attribute("data-status", "submitted")
        expect(page.locator("#notice")).to_contain_text("评分表已提交并锁定")
        expect(page.locator("input[name='pct_1.1']")).to_be_disabled()
        expect(page.locator("#item-summary")).to_be_visible()  # all scored: the summary
        # The summary's total and the sticky bar's (both computed by the page's script once
        # it has run) come to the same figure.
        summary_total = page.locator("#summary [data-total]")
        expect(summary_total).not_to_have_text("—")  # filled in once the script has run
        server_total = summary_total.inner_text()
        assert server_total != "0.00"
        expect(page.locator("#live-total")).to_have_text(server_total)
        reviewer.shot("sheet-04-submitted")
        done = stored_sheet(world)
        assert done is not None and done.status == "submitted"
        assert done.percentages["1.1"] == 70 and done.percentages["6.3"] == 75
