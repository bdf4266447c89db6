"""The applicant's page on the server side: the form beside the standard's guide with its
"已答 n / m" and one submit at the end, refused (with what is blank, in words, and what was
typed kept) before everything is filled; withdrawing only once submitted; the expected
documents, allowed types and size limit; the reason and what to do when returned or
ineligible; and every step of the history in plain words."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import write_answers
from mqa_workflow.db import Database
from mqa_workflow.states.engine import advance
from mqa_workflow.states.table import TRANSITIONS
from mqa_workflow.web.pages.applicant_steps import STEP_WORDS
from tests.e2e.world import World, answers, build
from tests.web.test_pages import sign_in


@pytest.fixture
def world(sqlite_database: Database) -> World:
    return build(sqlite_database, to_review=False, complete=False)


def state_of(world: World) -> str:
    with world.database.session() as session:
        return session.get_one(Application, world.application_id).state


def office(world: World, trigger: str, reason: str = "") -> None:
    with world.database.session() as session:
        advance(session, world.application_id, trigger,
                get_user(session, world.emails["admin"]), reason=reason)


def test_the_form_sets_each_item_beside_its_guide_with_the_count_and_a_closed_submit(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "applicant")
    page = browser.get(f"/applications/{world.application_id}").text
    item = page.split('id="answer-1.1"', 1)[1].split("</section>", 1)[0]
    for shown in ("基本要求", "要点指引", "文化建立", 'name="item_1.1"', "0 字"):
        assert shown in item, shown
    assert re.search(r'id="answered"><span id="answered-count">0</span> / 18', page)
    assert re.search(r'id="submit-application"[^>]*disabled', page)
    assert "还有 19 项未填写" in page
    assert 'id="withdraw"' not in page  # a draft is not withdrawn
    # The upload says what to send, which kinds and how large.
    for shown in ("营业执照", "近三年财务审计报告", "PDF、PNG 图片、JPEG 图片",
                  "单个文件不超过 20 MB", 'accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.doc,.xls"'):
        assert shown in page, shown
    shown = re.sub(r"<[^>]+>", " ", page.split("<main>", 1)[1])
    for raw in ("economic", "draft", "process item"):
        assert raw not in shown, raw


def test_a_submit_before_everything_is_filled_is_refused_with_the_blanks_named_and_kept(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "applicant")
    url = f"/applications/{world.application_id}/answers"
    refused = browser.post(url, data={"csrf_token": csrf, "action": "submit",
                                      "item_1.1": "质量文化建设的做法"})
    assert refused.status_code == 422 and state_of(world) == "draft"
    assert "未能提交" in refused.text and "未填写：组织简介" in refused.text
    assert "未填写：6.3 高质量运营的结果" in refused.text
    assert "质量文化建设的做法</textarea>" in refused.text  # nothing typed is lost
    with world.database.session() as session:
        assert session.get_one(Application, world.application_id).answer_texts() == {
            "1.1": "质量文化建设的做法"}  # kept as the draft
    complete = {f"item_{code}": text for code, text in answers().items()}
    done = browser.post(url, data={"csrf_token": csrf, "action": "submit",
                                   "profile": "组织简介……"} | complete)
    assert done.status_code == 303
    assert done.headers["location"] == f"/applications/{world.application_id}?saved=submitted"
    assert state_of(world) == "submitted"
    page = browser.get(done.headers["location"]).text
    assert "申报已提交" in page and 'id="withdraw"' in page  # withdraw, once submitted


def test_withdrawing_a_draft_is_refused_for_its_applicant(browser: TestClient,
                                                         world: World) -> None:
    csrf = sign_in(browser, world, "applicant")
    refused = browser.post(f"/applications/{world.application_id}/advance", data={
        "csrf_token": csrf, "trigger": "withdraw", "reason": "不再申报"})
    assert refused.status_code == 409 and state_of(world) == "draft"


def test_a_returned_then_ineligible_application_says_why_and_what_to_do_first(
        browser: TestClient, world: World) -> None:
    with world.database.session() as session:
        write_answers(session, session.get_one(Application, world.application_id),
                      profile="组织简介……", answers=answers())
    for trigger in ("submit", "begin_eligibility_check"):
        actor = "applicant" if trigger == "submit" else "admin"
        with world.database.session() as session:
            advance(session, world.application_id, trigger,
                    get_user(session, world.emails[actor]))
    office(world, "return_for_correction", "营业执照副本不清晰")
    sign_in(browser, world, "applicant")
    page = browser.get(f"/applications/{world.application_id}").text
    attention = page.split('id="attention"', 1)[1].split("</section>", 1)[0]
    for shown in ("申报已退回补正", "营业执照副本不清晰", "您需要做什么", "补正后重新提交",
                  'id="correction-due"'):
        assert shown in attention, shown
    assert page.index('id="attention"') < page.index('id="application-form"')  # first
    office(world, "declare_ineligible", "近三年发生重大质量事故")
    page = browser.get(f"/applications/{world.application_id}").text
    assert "资格审核未通过" in page and "近三年发生重大质量事故" in page
    assert 'id="application-form"' not in page
    history = page.split('id="history"', 1)[1]
    for words in ("创建申报草稿", "您提交了申报材料", "评审工作办公室已受理申报",
                  "申报已退回给您", "资格审核未通过，本周期的申报到此结束"):
        assert words in history, words


def test_every_step_an_applicant_can_see_has_its_plain_words() -> None:
    assert {spec.trigger for spec in TRANSITIONS} == set(STEP_WORDS)
    assert all(zh and en and zh != en for zh, en in STEP_WORDS.values())


def test_a_refused_upload_says_why_beside_the_upload_in_words(browser: TestClient,
                                                              world: World) -> None:
    csrf = sign_in(browser, world, "applicant")
    url = f"/applications/{world.application_id}/documents?csrf_token={csrf}"
    form = {"csrf_token": csrf}
    program = browser.post(url, data=form, files={"file": ("营业执照.pdf", b"MZ\x90\x00" * 64)})
    assert program.status_code == 422
    error = program.text.split('id="upload-error"', 1)[1].split("</p>", 1)[0]
    assert "文件未上传：文件类型不在允许范围内，或文件内容与扩展名不符" in error
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert browser.post(url, data=form, files={"file": ("营业执照.pdf", pdf)}).status_code == 303
    twice = browser.post(url, data=form, files={"file": ("营业执照副本.pdf", pdf)})
    assert twice.status_code == 409 and "相同内容的文件已经上传过" in twice.text
    assert twice.text.count('<li><a href="/api/documents/') == 1  # the first one, kept
