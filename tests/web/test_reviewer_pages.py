"""The reviewer's pages on the server side: the task list, the score sheet's refusals (beside
each item, in Chinese, with what was typed kept and the valid part saved as the draft), and
the consensus page that waits for every sheet and puts the flagged items first."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mqa_workflow.accounts.service import get_user
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ScoreSheet
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.web.app import create_app
from tests.e2e.world import World, build
from tests.services import settling
from tests.web.test_pages import sign_in

CODES = [item.code for item in load_standard("economic").scored_items()]


@pytest.fixture
def world(sqlite_database: Database) -> World:
    return build(sqlite_database)


def assignment_of(world: World, who: str) -> int:
    with world.database.session() as session:
        user = get_user(session, world.emails[who])
        return session.query(ReviewAssignment).filter_by(reviewer_id=user.id).one().id


def sheet_of(world: World, assignment_id: int) -> ScoreSheet | None:
    with world.database.session() as session:
        sheet = session.query(ScoreSheet).filter_by(assignment_id=assignment_id).one_or_none()
        if sheet is not None:
            session.expunge(sheet)
        return sheet


def open_sheet(browser: TestClient, world: World, who: str) -> tuple[str, int]:
    """Sign in, confirm the no-conflict statement; the CSRF token and the assignment."""
    csrf = sign_in(browser, world, who)
    mine = assignment_of(world, who)
    assert browser.post(f"/assignments/{mine}/statement",
                        data={"csrf_token": csrf}).status_code == 303
    return csrf, mine


def form(csrf: str, percentages: dict[str, str], action: str, **notes: str) -> dict[str, str]:
    data = {"csrf_token": csrf, "action": action}
    data |= {f"pct_{code}": value for code, value in percentages.items()}
    return data | notes


def error_beside(page: str, code: str) -> str:
    found = re.search(rf'id="error-{re.escape(code)}"[^>]*>([^<]*)<', page)
    assert found, code
    return found.group(1)


def test_the_task_list_shows_class_stage_due_date_with_days_left_and_progress(
        browser: TestClient, world: World) -> None:
    csrf, mine = open_sheet(browser, world, "reviewer")
    assert browser.post(f"/assignments/{mine}", data=form(
        csrf, {"1.1": "70", "1.2": "55"}, "draft")).status_code == 303
    page = browser.get("/tasks").text
    for shown in ("经济类", "材料评审", "2 / 18", "草稿", "申报回避 / 拒绝任务",
                  "时间均为北京时间"):
        assert shown in page, shown
    # no raw identifiers on the screen: stage and status only in words
    assert ">document_review<" not in page and ">draft<" not in page


def test_a_submit_with_items_missing_is_refused_beside_each_item_keeping_what_was_typed(
        browser: TestClient, world: World) -> None:
    csrf, mine = open_sheet(browser, world, "reviewer")
    typed = {code: "60" for code in CODES[:-2]}  # the last two items left out
    refused = browser.post(f"/assignments/{mine}", data=form(
        csrf, typed, "submit", **{"strengths_1.1": "文化理念体系完整",
                                  "opportunities_6.3": "缺少行业对标"}))
    assert refused.status_code == 422
    page = refused.text
    assert 'id="sheet-form"' in page and "出错了" not in page  # the sheet, not an error page
    assert "有 2 个条款需要处理" in page
    for code in CODES[-2:]:
        assert "尚未评分" in error_beside(page, code)
    assert error_beside(page, "1.1") == ""
    assert 'name="pct_5.1" class="pct" value="60"' in page
    assert "文化理念体系完整</textarea>" in page and "缺少行业对标</textarea>" in page
    assert f'data-focus="{CODES[-2]}"' in page  # the first refused item opens
    # the valid part is the draft now: nothing is lost if the reviewer walks away
    draft = sheet_of(world, mine)
    assert draft is not None and draft.status == "draft"
    assert draft.percentages == {code: 60 for code in CODES[:-2]}
    assert draft.comments["1.1"]["strengths"] == "文化理念体系完整"


def test_a_percentage_the_guide_does_not_allow_is_named_beside_its_item(
        browser: TestClient, world: World) -> None:
    csrf, mine = open_sheet(browser, world, "reviewer")
    refused = browser.post(f"/assignments/{mine}", data=form(
        csrf, {"1.1": "7", "1.2": "55", "1.3": "abc"}, "draft"))
    assert refused.status_code == 422
    for code in ("1.1", "1.3"):
        assert "得分率不符合评分指引，可选：0–100 之间 5 的倍数" in error_beside(refused.text, code)
    assert 'value="7"' in refused.text and 'value="abc"' in refused.text  # as typed
    draft = sheet_of(world, mine)
    assert draft is not None and draft.percentages == {"1.2": 55}


def test_a_locked_sheet_refuses_in_words_on_the_sheet_itself(browser: TestClient,
                                                             world: World) -> None:
    csrf, mine = open_sheet(browser, world, "reviewer")
    every = {code: "70" for code in CODES}
    done = browser.post(f"/assignments/{mine}", data=form(csrf, every, "submit"))
    assert done.status_code == 303 and done.headers["location"].endswith("?saved=submitted")
    assert "评分表已提交并锁定" in browser.get(done.headers["location"]).text
    again = browser.post(f"/assignments/{mine}", data=form(csrf, every | {"1.1": "90"},
                                                           "draft"))
    assert again.status_code == 409
    assert "评分表已提交并锁定，不能再修改" in again.text and 'id="sheet-form"' in again.text
    assert 'name="pct_1.1" class="pct" value="90"' in again.text  # what was typed, shown
    assert sheet_of(world, mine).percentages["1.1"] == 70  # type: ignore[union-attr]


def test_clearing_a_note_clears_it_in_the_draft(browser: TestClient, world: World) -> None:
    csrf, mine = open_sheet(browser, world, "reviewer")
    browser.post(f"/assignments/{mine}", data=form(csrf, {}, "draft",
                                                   **{"strengths_1.1": "高层垂范"}))
    assert sheet_of(world, mine).comments["1.1"]["strengths"] == "高层垂范"  # type: ignore[union-attr]
    browser.post(f"/assignments/{mine}", data=form(csrf, {}, "draft",
                                                   **{"strengths_1.1": ""}))
    assert sheet_of(world, mine).comments["1.1"]["strengths"] == ""  # type: ignore[union-attr]


def test_the_consensus_waits_for_every_sheet_then_shows_the_flagged_items_first(
        browser: TestClient, world: World) -> None:
    a = world.application_id
    consensus = f"/applications/{a}/consensus/document_review"
    # the leader submits first: the page says 1 of 2 and offers no recording yet
    csrf, leader = open_sheet(browser, world, "reviewer")
    assert browser.post(f"/assignments/{leader}", data=form(
        csrf, {code: "70" for code in CODES}, "submit")).status_code == 303
    waiting = browser.get(consensus).text
    assert "已提交 1 / 2 份评分表" in waiting and "等待其他评分表" in waiting
    assert 'id="record-consensus"' not in waiting
    early = browser.post(consensus, data={"csrf_token": csrf})
    assert early.status_code == 409 and "全部评分表提交后方可记录共识评分 (1 / 2)" in early.text
    with world.database.session() as session:
        assert session.query(ConsensusSheet).count() == 0

    # the second reviewer differs by 30 points on 2.1 and 5 on 3.3
    second = TestClient(browser.app, follow_redirects=False)
    csrf2, other = open_sheet(second, world, "reviewer2")
    assert second.post(f"/assignments/{other}", data=form(
        csrf2, {code: "70" for code in CODES} | {"2.1": "40", "3.3": "75"},
        "submit")).status_code == 303

    ready = browser.get(consensus).text
    assert "已提交 2 / 2 份评分表" in ready and 'id="record-consensus"' in ready
    rows = re.findall(r'<tr class="[^"]*" data-item="([^"]+)"', ready)
    assert rows[0] == "2.1" and sorted(rows) == sorted(CODES)  # flagged first
    assert 'name="decide_2.1"' in ready and 'name="decide_3.3"' not in ready
    # a decision the guide does not allow: refused on the page, the typed value kept
    odd = browser.post(consensus, data={"csrf_token": csrf, "decide_2.1": "57",
                                        "rationale_2.1": "对标数据不足"})
    assert odd.status_code == 422 and "共识评分未能记录" in odd.text
    assert 'value="57"' in odd.text and 'value="对标数据不足"' in odd.text
    recorded = browser.post(consensus, data={"csrf_token": csrf, "decide_2.1": "55",
                                             "rationale_2.1": "对标数据不足，取中"})
    assert recorded.status_code == 303
    page = browser.get(consensus).text
    assert "共识评分已记录" in page and "对标数据不足，取中" in page


def test_the_sheet_shows_documents_in_place_only_to_the_team(sqlite_database: Database
                                                              ) -> None:
    from mqa_workflow.applications.models import Application
    from mqa_workflow.applications.service import attach_document
    from tests.e2e.world import to_document_review

    world = build(sqlite_database, to_review=False)
    with world.database.session() as session:
        application = session.get(Application, world.application_id)
        assert application is not None
        pdf = attach_document(session, application, "营业执照.pdf", b"%PDF-1.4\n%%EOF\n").id
        other = session.get(Application, world.other_application_id)
        assert other is not None
        elsewhere = attach_document(session, other, "乙.pdf", b"%PDF-1.4\n% b\n%%EOF\n").id
    to_document_review(world)
    with settling(TestClient(create_app(world.database), follow_redirects=False)) as browser:
        mine = assignment_of(world, "reviewer")
        csrf = sign_in(browser, world, "reviewer")
        # before the no-conflict statement: not even the documents
        assert browser.get(f"/assignments/{mine}/documents/{pdf}").status_code == 403
        browser.post(f"/assignments/{mine}/statement", data={"csrf_token": csrf})
        sheet = browser.get(f"/assignments/{mine}").text
        assert f'href="/assignments/{mine}/documents/{pdf}"' in sheet
        assert f'href="/api/documents/{pdf}"' in sheet  # the download beside it
        shown = browser.get(f"/assignments/{mine}/documents/{pdf}")
        assert shown.status_code == 200 and shown.content.startswith(b"%PDF")
        assert shown.headers["content-disposition"].startswith("inline")
        assert shown.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in shown.headers["content-security-policy"]
        # another application's document is not reached through this assignment
        assert browser.get(f"/assignments/{mine}/documents/{elsewhere}").status_code == 404
