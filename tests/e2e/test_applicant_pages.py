"""End to end in Debian's chromium at 1366×900: an applicant fills in, submits, is returned
for correction, resubmits and is found ineligible.

The form follows the standard: each item's basic requirement and guide points beside its
answer box, a character count, "已答 n / 18", autosave; the one submit button at the end
stays disabled until everything is filled in and asks before it sends; withdrawing is
offered only once submitted. The upload says which documents are expected, the allowed
types and the size limit. A returned or ineligible application shows the office's reason
and what to do first on the page; the history explains each step in plain Chinese.
Screenshots: ``artifacts/e2e/applicant-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.engine import advance
from tests.e2e.browser import ARTIFACTS
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build
from tests.services import web_server

CODES = [item.code for item in load_standard("economic").scored_items()]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RAW = ("draft", "submitted", "eligibility_check", "returned_for_correction", "ineligible",
       "economic", "document_review")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'applicant.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield build(database, to_review=False, complete=False)
    database.engine.dispose()


def office(world: World, trigger: str, reason: str = "") -> None:
    with world.database.session() as session:
        advance(session, world.application_id, trigger,
                get_user(session, world.emails["admin"]), reason=reason)


def stored_answers(world: World) -> dict[str, str]:
    with world.database.session() as session:
        return session.get_one(Application, world.application_id).answer_texts()


def no_identifiers(page: object) -> None:
    shown = page.locator("main").inner_text()  # type: ignore[attr-defined]
    for raw in RAW:
        assert raw not in shown, raw


def test_an_applicant_fills_in_the_form_submits_and_reads_each_step_in_plain_words(
        world: World, chromium: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with web_server(world.database) as base:
        applicant = Person(chromium, base, world.emails["applicant"], "applicant")
        page = applicant.page
        page.set_viewport_size({"width": 1366, "height": 900})

        def shot(step: str, *, full: bool = False) -> None:
            page.screenshot(path=str(ARTIFACTS / f"applicant-{step}.png"), full_page=full)

        page.goto("/applications")
        row = page.locator("tbody tr").first
        expect(row).to_contain_text("经济类")
        expect(row).to_contain_text("草稿")
        no_identifiers(page)
        shot("01-list", full=True)
        row.locator("a").first.click()

        # The form: the standard's guide beside each answer box; nothing filled, no submit.
        expect(page.locator("#answered")).to_have_text("0 / 18")
        item = page.locator("#answer-1\\.1")
        expect(item.locator(".answer-guide")).to_contain_text("基本要求")
        expect(item.locator(".answer-guide")).to_contain_text("要点指引")
        expect(item.locator(".answer-guide")).to_contain_text("文化建立")
        expect(page.locator("#submit-application")).to_be_disabled()
        expect(page.locator("#submit-hint")).to_contain_text("还有 19 项未填写")
        expect(page.locator("#withdraw")).to_have_count(0)  # a draft is not withdrawn
        no_identifiers(page)

        # Typing: the count, the mark and "已答" follow; the draft saves itself.
        page.fill("textarea[name=profile]", "深圳甲精密制造有限公司成立于2008年，主营精密结构件。")
        page.fill("textarea[name='item_1.1']", "以“精益求精”为核心的质量文化")
        expect(page.locator("#count-1\\.1")).to_have_text("15 字")
        expect(page.locator("#answered")).to_have_text("1 / 18")
        expect(page.locator("[data-mark='1.1']")).to_have_class(re.compile(r"\bdone\b"))
        expect(page.locator("[data-mark='1.1']")).to_have_text("已答")
        expect(page.locator("#save-state")).to_contain_text("草稿已自动保存")
        assert stored_answers(world)["1.1"] == "以“精益求精”为核心的质量文化"
        item.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -60)")
        shot("02-form")

        # The documents: what is expected, the allowed types and the size limit.
        documents = page.locator("#documents")
        expect(documents.locator(".expected-documents")).to_contain_text("营业执照")
        expect(page.locator("#upload-rules")).to_contain_text("PDF、PNG 图片、JPEG 图片")
        expect(page.locator("#upload-rules")).to_contain_text("单个文件不超过 20 MB")
        licence = tmp_path / "营业执照.pdf"
        licence.write_bytes(PDF)
        expect(page.locator("#file-name")).to_have_text("未选择文件")
        page.set_input_files("#upload-file", str(licence))
        expect(page.locator("#file-name")).to_have_text("营业执照.pdf")
        page.click("#upload")
        expect(page.locator("#documents .uploaded")).to_contain_text("营业执照.pdf")
        page.locator("#documents").scroll_into_view_if_needed()
        shot("03-documents")

        # Everything filled in: the submit at the end opens; it asks, then sends.
        for code in CODES[1:]:
            page.fill(f"textarea[name='item_{code}']", f"{code} 的做法、展开与结果")
        expect(page.locator("#answered")).to_have_text("18 / 18")
        expect(page.locator("#submit-hint")).to_have_text("已全部填写，可以提交。")
        expect(page.locator("#submit-application")).to_be_enabled()
        page.locator("#submit-section").scroll_into_view_if_needed()
        shot("04-ready-to-submit")
        page.click("#submit-application")
        expect(page.locator("#state")).to_have_text("已申报")
        expect(page.locator("#notice")).to_contain_text("申报已提交")
        expect(page.locator("#history")).to_contain_text("您提交了申报材料")
        expect(page.locator("#withdraw")).to_have_count(1)  # withdrawing, once submitted
        assert stored_answers(world)["6.3"] == "6.3 的做法、展开与结果"

        # Returned for correction: the reason, the deadline and what to do come first.
        office(world, "begin_eligibility_check")
        office(world, "return_for_correction", "营业执照副本不清晰，请重新上传清晰的扫描件")
        page.reload()
        attention = page.locator("#attention")
        expect(attention).to_contain_text("申报已退回补正")
        expect(attention).to_contain_text("营业执照副本不清晰")
        expect(attention).to_contain_text("您需要做什么")
        expect(page.locator("#correction-due")).to_have_text(
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$"))
        expect(page.locator("#submit-application")).to_have_text("补正后重新提交")
        history = page.locator("#history")
        expect(history).to_contain_text("评审工作办公室已受理申报")
        expect(history).to_contain_text("理由：营业执照副本不清晰")
        no_identifiers(page)
        shot("05-returned")
        page.locator("#history").scroll_into_view_if_needed()
        shot("06-history")

        page.click("#submit-application")
        expect(page.locator("#state")).to_have_text("资格审核")
        expect(page.locator("#notice")).to_contain_text("已补正并重新提交")

        # Found ineligible: the reason and what to do, prominently; no form any more.
        office(world, "declare_ineligible", "近三年发生重大质量事故，不符合申报条件")
        page.reload()
        expect(page.locator("#attention")).to_contain_text("资格审核未通过")
        expect(page.locator("#attention")).to_contain_text("近三年发生重大质量事故")
        expect(page.locator("#application-form")).to_have_count(0)
        expect(page.locator("#history li")).to_have_count(6)  # created + five steps
        expect(page.locator("#history")).to_contain_text("资格审核未通过，本周期的申报到此结束")
        no_identifiers(page)
        shot("07-ineligible", full=True)
