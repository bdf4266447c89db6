"""Gaps the office's audit of issue 17 found on the set-up and people pages: the quorum
shown as the office writes it (2/3, not 0.6666…), dates typed as YYYY-MM-DD whatever the
browser's locale, and every import problem in Chinese on the people page — a row's with
its number and column, a file refused as a whole in the preview rather than on an error
page — with nothing imported."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.applicants.models import Organization
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.web.phrases_office_audit import import_problem_zh
from tests.e2e.world import World
from tests.web.test_cycle_setup_pages import form_of
from tests.web.test_pages import sign_in


@pytest.fixture
def to_review() -> bool:
    return False


def _quorum(world: World, year: int) -> float:
    with world.database.session() as session:
        cycle = session.scalar(select(AwardCycle).where(AwardCycle.year == year))
        assert cycle is not None
        return cycle.rules.committee_quorum


def test_the_quorum_reads_two_thirds_and_is_kept_as_exactly_that_number(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "admin")
    page = browser.get("/admin/cycle-setup/new").text
    assert "0.666" not in page
    form = form_of(page) | {"year": "2031", "name": "2031年度深圳市市长质量奖"}
    assert form["rules.committee_quorum"] == "2/3"
    created = browser.post("/admin/cycle-setup/new", data=form)
    assert created.status_code == 303
    assert _quorum(world, 2031) == 2 / 3
    path = created.headers["location"].split("?")[0]
    edit = form_of(browser.get(path).text)
    assert edit["rules.committee_quorum"] == "2/3"
    assert browser.post(path, data=edit | {"rules.committee_quorum": "3 / 4"}
                        ).status_code == 303
    assert _quorum(world, 2031) == 0.75
    refused = browser.post(path, data=edit | {"rules.committee_quorum": "4/3"})
    assert refused.status_code == 422
    assert _quorum(world, 2031) == 0.75


def test_dates_are_typed_as_yyyy_mm_dd_not_in_the_browsers_locale(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "admin")
    page = browser.get("/admin/cycle-setup/new").text
    assert 'type="date"' not in page
    deadline = re.search(r'<input[^>]*name="deadlines.submission"[^>]*>', page)
    assert deadline and 'placeholder="YYYY-MM-DD"' in deadline.group(0)
    form = form_of(page) | {"deadlines.submission": "06/30/2027"}
    refused = browser.post("/admin/cycle-setup/new", data=form)
    assert refused.status_code == 422 and "请按 YYYY-MM-DD 填写日期" in refused.text


APPLICANTS = ("name,uscc,industry,district\n"
              "深圳甲公司,91440300708461136T,电子信息,南山区\n"
              "深圳乙公司,9144030070846113,电子信息,南山区\n"
              ",91440300MA5F00002D,,福田区\n"
              "深圳丙公司,,电子信息,南山区\n")


def _preview(browser: TestClient, csrf: str, kind: str, name: str, content: bytes
             ) -> tuple[int, list[str]]:
    page = browser.post("/admin/people/import", data={"csrf_token": csrf, "kind": kind},
                        files={"file": (name, content, "text/csv")})
    problems = re.findall(r"<li(?: data-row=\"\d+\")?>([^<]+)</li>", html.unescape(
        page.text.split('id="import-problems"', 1)[-1].split("</ul>", 1)[0]))
    return page.status_code, problems


def test_applicant_rows_are_refused_in_chinese_with_their_number_and_column(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    status, problems = _preview(browser, csrf, "applicants", "申报主体.csv",
                                APPLICANTS.encode())
    assert status == 422
    assert problems == [
        "第 3 行：uscc（统一社会信用代码）：“9144030070846113”共 16 位，统一社会信用代码应为 18 位",
        "第 4 行：name（名称）不能为空",
        "第 4 行：industry（行业）不能为空",
        "第 5 行：uscc（统一社会信用代码）不能为空",
    ]
    with world.database.session() as session:  # the good row 2 was not kept either
        assert session.scalar(select(Organization).where(
            Organization.uscc == "91440300708461136T")) is None


def test_a_file_that_is_not_utf8_is_refused_in_the_preview_in_chinese(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    status, problems = _preview(browser, csrf, "applicants", "申报主体.csv",
                                APPLICANTS.encode("gbk"))
    assert status == 422
    assert problems == ["申报主体.csv：请将 CSV 另存为 UTF-8 编码（Excel：另存为“CSV UTF-8”）"]
    status, problems = _preview(browser, csrf, "reviewers", "专家.csv",
                                "name,capacity\n李专家,8\n".encode())
    assert status == 422 and problems == ["专家.csv：表头缺少 email, classes，请下载模板"]
    with world.database.session() as session:
        assert "bulk_import" not in set(session.scalars(select(AuditRecord.trigger)))


def test_the_english_page_keeps_the_import_problems_as_written(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    browser.cookies.set("lang", "en")
    _, problems = _preview(browser, csrf, "conflict-profiles", "回避.csv",
                           b"email,kind\nnobody@pool.cn,profile\n")
    assert problems == ["row 2: no user 'nobody@pool.cn'"]


@pytest.mark.parametrize(("english", "chinese"), [
    ("row 2: no user 'nobody@pool.cn'", "第 2 行：无此用户“nobody@pool.cn”（请先添加该人员）"),
    ("row 3: kind 'job': one of profile, employment",
     "第 3 行：类型“job”无效，应为 profile, employment 之一"),
    ("row 4: uscc '91440300708461136X': '91440300708461136X' fails its check character: "
     "the 18th should be 'T'",
     "第 4 行：uscc（统一社会信用代码）：“91440300708461136X”校验码不符：第 18 位应为“T”"),
    ("row 5: start '2020/01/01': write YYYY-MM-DD",
     "第 5 行：start（开始日期）“2020/01/01”：请按 YYYY-MM-DD 填写"),
    ("row 6: an organization with USCC 91440300708461136T is already registered",
     "第 6 行：统一社会信用代码为 91440300708461136T 的组织已登记，不能重复导入"),
    ("row 7: capacity 'x': 请填写整数 (a whole number of reviews)",
     "第 7 行：capacity（评审上限）“x”：请填写整数"),
    ("row 8: no application '99' (无此申报编号)", "第 8 行：无此申报编号“99”"),
    ("row 9: something new", "第 9 行：something new"),
    ("nothing to import: the file has no rows", "文件中没有可导入的行"),
])
def test_each_import_problem_reads_in_chinese(english: str, chinese: str) -> None:
    assert import_problem_zh(english) == chinese


def test_the_cycle_list_names_the_classes_in_the_readers_language(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "admin")
    classes = re.search(r'<p class="classes">([^<]*)</p>', browser.get("/admin").text)
    assert classes and "经济类" in classes.group(1) and "economic" not in classes.group(1)
    browser.cookies.set("lang", "en")
    english = re.search(r'<p class="classes">([^<]*)</p>', browser.get("/admin").text)
    assert english and "economic" in english.group(1)
