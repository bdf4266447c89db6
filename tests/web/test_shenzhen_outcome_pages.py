"""The Shenzhen outcome pages (差额选拔, 公示与异议, 公平性报告) for administrators only: the
candidate list's dry run gives each application's reason and records nothing, "apply"
records what ``mqa candidates select`` records and audits it; objections are recorded and
resolved with every refusal shown beside its form (4xx, what was typed kept, nothing
stored); the fairness report reads as the CLI's; links only where the cycle runs the stage."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.procedure.models import CandidateDecision, Objection
from mqa_workflow.scoring.candidates import draw_candidates
from tests import factories
from tests.e2e.world import World
from tests.shenzhen_outcome_cases import OutcomeCases, add_outcome_cases, score
from tests.web.test_pages import sign_in


@pytest.fixture
def cases(world: World) -> OutcomeCases:
    return add_outcome_cases(world)


def _audited(world: World, trigger: str) -> list[AuditRecord]:
    with world.database.session() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.trigger == trigger)
                                    .order_by(AuditRecord.seq)))


def _pages(cases: OutcomeCases) -> list[str]:
    base = f"/admin/cycles/{cases.cycle_id}"
    return [f"{base}/candidates", f"{base}/candidates?dry_run=1", f"{base}/notice",
            f"{base}/fairness"]


@pytest.mark.parametrize("role", ["reviewer", "committee", "applicant", "operator"])
def test_only_administrators_open_or_change_the_outcome_pages(
        browser: TestClient, world: World, cases: OutcomeCases, role: str) -> None:
    token = sign_in(browser, world, role)
    for url in _pages(cases):
        assert browser.get(url).status_code == 403, url
    posts = {f"/admin/cycles/{cases.cycle_id}/candidates": {"award_class": "economic"},
             f"/admin/cycles/{cases.cycle_id}/notice/{cases.quiet}/objections": {
                 "filed_by": "x", "grounds": "y", "evidence": "z"},
             f"/admin/objections/{cases.objection}/resolve": {"verdict": "uphold",
                                                               "reason": "r"}}
    for url, data in posts.items():
        assert browser.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    with world.database.session() as session:
        assert not session.scalars(select(CandidateDecision)).all()
        assert session.get(Objection, cases.objection).status == "open"


def test_the_dry_run_gives_each_application_its_reason_and_records_nothing(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    sign_in(browser, world, "admin")
    plain = browser.get(f"/admin/cycles/{cases.cycle_id}/candidates")
    assert plain.status_code == 200
    assert "431.20" in plain.text and "418.75" in plain.text and "377.10" in plain.text
    assert "每个行业最多 1 名" in plain.text and 'id="places">2<' in plain.text
    page = browser.get(f"/admin/cycles/{cases.cycle_id}/candidates?dry_run=1")
    text = html.unescape(page.text)
    assert "第 1 名，入选：第 1/2 个名额；电子信息已入选 1 名（最多 1 名）" in text
    assert ("第 2 名，未入选：电子信息已入选 1 名，达到上限，为保持均衡跳过；由第 3 名递补"
            "（与第 3 名同分，按成果类得分排序 170.00 > 165.00）") in text
    assert ("第 3 名，入选：第 2/2 个名额；生物医药已入选 1 名（最多 1 名）；"
            "递补为保持均衡而未入选的第 2 名") in text
    assert "第 4 名，未入选：2 个名额已由排名更高的申报占满" in text
    assert "application" not in text.split("<main>")[1]  # no English reason on a Chinese page
    with world.database.session() as session:
        assert not session.scalars(select(CandidateDecision)).all()
    assert not _audited(world, "select_candidates")


def test_apply_records_the_list_as_the_command_line_does_and_audits_each_decision(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    token = sign_in(browser, world, "admin")
    done = browser.post(f"/admin/cycles/{cases.cycle_id}/candidates",
                        data={"csrf_token": token, "award_class": "economic"})
    assert done.status_code == 303
    assert "applied=1" in done.headers["location"]
    with world.database.session() as session:
        cycle = session.get(AwardCycle, cases.cycle_id)
        _, expected = draw_candidates(session, cycle, "economic")
        decisions = [session.get(CandidateDecision, i) for i in cases.scored]
        assert [d.selected for d in decisions] == [True, False, True, False]
        assert [d.reason for d in decisions] == [e.reason for e in expected.entries]
    records = _audited(world, "select_candidates")
    assert [r.application_id for r in records] == cases.scored
    assert records[1].actor == world.emails["admin"] and records[1].data["selected"] is False
    shown = browser.get(done.headers["location"])
    assert "候选名单已记录" in shown.text and 'id="recorded"' in shown.text
    history = browser.get(f"/admin/cases/{cases.scored[1]}")
    shown_history = html.unescape(history.text)
    assert "差额选拔 — 第 2 名，未入选：电子信息已入选 1 名，达到上限" in shown_history
    assert records[1].data["reason"] == decisions[1].reason


def test_the_stages_are_linked_and_open_only_where_the_cycle_runs_them(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    sign_in(browser, world, "admin")
    shenzhen = browser.get(f"/admin/cycles/{cases.cycle_id}").text
    assert 'id="to-candidates"' in shenzhen and 'id="to-notice"' in shenzhen
    plain = browser.get(f"/admin/cycles/{world.cycle_id}").text
    assert 'id="to-candidates"' not in plain and 'id="to-notice"' not in plain
    assert 'id="to-fairness"' in plain
    for stage in ("candidates", "notice"):
        refused = browser.get(f"/admin/cycles/{world.cycle_id}/{stage}")
        assert refused.status_code == 404, refused.text  # not a page of its procedure
        assert "本周期" in refused.text and "this cycle" not in refused.text
    case = browser.get(f"/admin/cases/{cases.noticed}").text
    assert f"/admin/cycles/{cases.cycle_id}/notice#notice-{cases.noticed}" in case
    assert browser.get(f"/admin/cycles/{cases.cycle_id}/fairness?stage=nope"
                       ).status_code == 404


def test_the_notice_page_lists_open_objections_first_with_each_notice_status(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    sign_in(browser, world, "admin")
    page = browser.get(f"/admin/cycles/{cases.cycle_id}/notice")
    text = html.unescape(page.text)
    assert page.status_code == 200
    assert text.index('id="open-objections"') < text.index('id="running"')
    assert f'data-objection="{cases.objection}"' in text and "市民张某" in text
    assert "公示中，至 2026-06-17 止（今天之后还有 5 个工作日）" in text
    assert "拟授奖项：<strong>大奖" in text and "鼓励奖" in text
    assert f'data-waiting="{cases.waiting}"' in text
    assert 'data-trigger="announce_encouragement"' in text  # ready: the committee voted
    assert ">grand<" not in text and ">encouragement<" not in text  # award names translated


def test_a_refused_objection_is_shown_beside_its_form_and_nothing_is_kept(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    token = sign_in(browser, world, "admin")
    url = f"/admin/cycles/{cases.cycle_id}/notice/{cases.quiet}/objections"
    refused = browser.post(url, data={"csrf_token": token, "filed_by": "",
                                      "grounds": "获奖项目存在虚报", "evidence": ""})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "证据：异议须附至少一项证据" in text and "异议人：须填写异议人（予以保密）" in text
    assert "获奖项目存在虚报</textarea>" in text  # what was typed is still there
    with world.database.session() as session:
        assert not session.scalars(select(Objection).where(
            Objection.application_id == cases.quiet)).all()
    done = browser.post(url, data={"csrf_token": token, "filed_by": "匿名",
                                   "grounds": "获奖项目存在虚报",
                                   "evidence": "举报材料一\n\n举报材料二"})
    assert done.status_code == 303
    with world.database.session() as session:
        objection = session.scalars(select(Objection).where(
            Objection.application_id == cases.quiet)).one()
        assert objection.evidence == ["举报材料一", "举报材料二"]
        assert objection.filed_on.isoformat() == "2026-06-10"
    [record] = _audited(world, "file_objection")
    assert record.application_id == cases.quiet and record.data["objection"] == objection.id
    history = html.unescape(browser.get(f"/admin/cases/{cases.quiet}").text)
    assert "登记公示异议 — 获奖项目存在虚报" in history


def test_an_upheld_objection_then_offers_the_removal_and_is_audited(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    token = sign_in(browser, world, "admin")
    url = f"/admin/objections/{cases.objection}/resolve"
    refused = browser.post(url, data={"csrf_token": token, "verdict": "uphold", "reason": " "})
    assert refused.status_code == 422 and "处理异议须填写调查结论" in refused.text
    bad = browser.post(url, data={"csrf_token": token, "verdict": "maybe", "reason": "x"})
    assert bad.status_code == 422
    with world.database.session() as session:
        assert session.get(Objection, cases.objection).status == "open"
    done = browser.post(url, data={"csrf_token": token, "verdict": "uphold",
                                   "reason": "经调查，满意度数据口径与第三方报告不一致"})
    assert done.status_code == 303
    [record] = _audited(world, "resolve_objection")
    assert record.application_id == cases.noticed and record.data["status"] == "upheld"
    again = browser.post(url, data={"csrf_token": token, "verdict": "dismiss", "reason": "x"})
    assert again.status_code == 409 and "该异议已处理：异议成立" in again.text
    page = html.unescape(browser.get(f"/admin/cycles/{cases.cycle_id}/notice").text)
    assert "异议成立：应取消候选资格" in page and 'id="none-open"' in page
    removal = browser.post(f"/applications/{cases.noticed}/advance", data={
        "csrf_token": token, "trigger": "remove_after_objection",
        "reason": "异议成立：满意度数据不实", "back": f"/admin/cycles/{cases.cycle_id}/notice"})
    assert removal.status_code == 303
    with world.database.session() as session:
        assert session.get(Application, cases.noticed).state == "not_awarded"
    ended = html.unescape(browser.get(f"/admin/cycles/{cases.cycle_id}/notice").text)
    assert f'data-ended="{cases.noticed}"' in ended and "未获奖" in ended


def test_the_fairness_report_reads_like_the_command_line_in_plain_words(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    sign_in(browser, world, "admin")
    page = browser.get(f"/admin/cycles/{cases.cycle_id}/fairness")
    text = html.unescape(page.text)
    assert page.status_code == 200
    assert "校准结果仅供参考，正式结果以共识分为准" in text
    assert "专家一" in text and "-50.00" in text and "+50.00" in text
    assert "310.00" in text and "没有得到区间支持的排序变化" in text
    assert "深圳华芯微电子有限公司" in text and "宽严度：正数表示评分偏宽" in text
    empty = browser.get(f"/admin/cycles/{cases.cycle_id}/fairness?stage=site_visit")
    assert empty.status_code == 200 and "暂无可报告的内容" in empty.text


def test_an_applicant_without_the_balanced_attribute_is_named_not_a_server_error(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    with world.database.session() as session:
        cycle = session.get(AwardCycle, cases.cycle_id)
        lacking = factories.application(session, state="consolidated_scoring",
                                        award_cycle=cycle)
        lacking.organization.industry = ""  # an older record: registered before it was asked
        score(session, lacking, "300", "100")
        lacking_id = lacking.id
    token = sign_in(browser, world, "admin")
    page = browser.get(f"/admin/cycles/{cases.cycle_id}/candidates?dry_run=1")
    assert page.status_code == 200
    assert f"申报 #{lacking_id} 缺少均衡规则所需的分组信息" in html.unescape(page.text)
    refused = browser.post(f"/admin/cycles/{cases.cycle_id}/candidates",
                           data={"csrf_token": token, "award_class": "economic"})
    assert refused.status_code == 422 and "无法生成候选名单，未记录任何结果" in refused.text
    with world.database.session() as session:
        assert not session.scalars(select(CandidateDecision)).all()


def test_in_english_the_reasons_are_the_domains_own_sentences(
        browser: TestClient, world: World, cases: OutcomeCases) -> None:
    sign_in(browser, world, "admin")
    browser.cookies.set("lang", "en")
    page = html.unescape(browser.get(
        f"/admin/cycles/{cases.cycle_id}/candidates?dry_run=1").text)
    with world.database.session() as session:
        _, result = draw_candidates(session, session.get(AwardCycle, cases.cycle_id),
                                    "economic")
        assert all(entry.reason in page for entry in result.entries)
    assert "At most 1 per industry" in page
