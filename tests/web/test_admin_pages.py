"""The administrator's case board, bulk actions, case page, rankings and exports.

The world of tests/e2e/world.py with the cases of tests/admin_cases.py: application A
in document review (its team of two, sheets open), B a draft, two submitted, one short
of a reviewer with its sheet overdue, two consolidated (economic, cultural) and one
awarded the grand award.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from mqa_workflow.audit.service import history as history_of
from mqa_workflow.clock import office_time
from mqa_workflow.cycles.models import AwardCycle, CycleRules
from mqa_workflow.db import Database
from mqa_workflow.states.offer import offered
from mqa_workflow.translations.message import Word, refusal
from mqa_workflow.web import charts
from mqa_workflow.web.app import create_app
from mqa_workflow.web.board import BoardQuery, case_board
from mqa_workflow.web.refusals import translate
from tests.admin_cases import Cases, add_cases, state_of
from tests.e2e.world import World
from tests.services import settling
from tests.web.test_pages import sign_in


@pytest.fixture
def cases(world: World) -> Cases:
    return add_cases(world)


@pytest.fixture
def admin(world: World, cases: Cases) -> Iterator[tuple[TestClient, str]]:
    with settling(TestClient(create_app(world.database), follow_redirects=False)) as client:
        yield client, sign_in(client, world, "admin")


def rows_of(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr[^>]* data-id="(\d+)"', html)]


def board_ids(world: World, **query: object) -> list[int]:
    with world.database.session() as session:
        cycle = session.get(AwardCycle, world.cycle_id)
        assert cycle is not None
        return [r.id for r in case_board(session, cycle,
                                         BoardQuery(**query)).rows]  # type: ignore[arg-type]


def test_the_board_shows_chinese_names_review_progress_deadline_and_team_not_the_version(
        admin: tuple[TestClient, str], world: World, cases: Cases) -> None:
    client, _ = admin
    page = client.get(f"/admin/cycles/{world.cycle_id}")
    assert page.status_code == 200
    row = page.text.split(f'<tr data-id="{world.application_id}"')[1].split("</tr>")[0]
    assert "经济类" in row and "材料评审" in row
    assert "0 / 2" in row  # sheets in / the team the rules set
    assert "★专家一" in row and "专家二" in row  # the leader first
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row)  # the next deadline, Beijing
    short = page.text.split(f'<tr data-id="{cases.short}"')[1].split("</tr>")[0]
    assert 'class="overdue"' in page.text and "已逾期" in short and "缺 1 人" in short
    assert "文化类组织/项目奖" in page.text  # the class filter, in the standard's words
    # Why the results cannot be released yet, in Chinese too.
    assert f"2 项申报仍处于材料评审阶段，尚未作出决定：{world.application_id}, {cases.short}" \
        in page.text.split('id="release"')[1]
    # The lock version is the forms' business, never the reader's.
    assert "版本" not in page.text and "Version" not in page.text


def test_the_board_filters_by_class_state_overdue_uncovered_and_search(
        admin: tuple[TestClient, str], world: World, cases: Cases) -> None:
    client, _ = admin
    url = f"/admin/cycles/{world.cycle_id}"
    assert rows_of(client.get(url, params={"award_class": "cultural"}).text) == [cases.cultural]
    assert rows_of(client.get(url, params={"state": "submitted"}).text) == cases.submitted
    assert rows_of(client.get(url, params={"overdue": "1"}).text) == [cases.short]
    assert rows_of(client.get(url, params={"uncovered": "1"}).text) == [cases.short]
    found = client.get(url, params={"q": "深圳甲精密"})
    assert rows_of(found.text) == [world.application_id] and "共 1 项" in found.text
    assert rows_of(client.get(url, params={"q": f"#{cases.awarded}"}).text) == [cases.awarded]
    assert rows_of(client.get(url, params={"state": "no_such_state"}).text) == []


def test_the_board_sorts_and_pages_on_the_server(admin: tuple[TestClient, str], world: World,
                                                 cases: Cases) -> None:
    client, _ = admin
    every = board_ids(world, per_page=100)
    assert every == sorted(every)
    first, second = board_ids(world, per_page=3), board_ids(world, per_page=3, page=2)
    assert len(first) == 3 and first + second == every[:6]
    # the deadline sort: the overdue sheet first, the finished cases (no deadline) last
    by_due = board_ids(world, sort="deadline", per_page=100)
    assert by_due[0] == cases.short and by_due[-1] == cases.awarded
    assert board_ids(world, sort="id", descending=True, per_page=100) == every[::-1]
    # the page links keep the filter and the sort
    page = client.get(f"/admin/cycles/{world.cycle_id}", params={"sort": "deadline"}).text
    assert 'href="?sort=deadline&amp;desc=1"' in page or 'href="?sort=deadline&desc=1"' in page


def test_bulk_offers_only_the_procedures_triggers_that_leave_the_selected_states(
        admin: tuple[TestClient, str], world: World, cases: Cases) -> None:
    client, _ = admin
    form = client.get(f"/admin/cycles/{world.cycle_id}/bulk",
                      params={"ids": [*cases.submitted, world.application_id]})
    offered_here = re.findall(r'<option value="(\w+)">', form.text)
    assert set(offered_here) == {"begin_eligibility_check", "shortlist", "not_shortlist",
                                 "withdraw"}
    # the plain procedure: no defence, and nothing from states not selected
    assert "shortlist_for_defence" not in form.text and "confirm_eligible" not in offered_here
    assert "受理并开始资格审核" in form.text
    by_filter = client.get(f"/admin/cycles/{world.cycle_id}/bulk",
                           params={"scope": "filter", "state": "submitted"})
    assert re.findall(r'name="ids" value="(\d+)"', by_filter.text) == [
        str(i) for i in cases.submitted]


def test_the_procedure_picks_the_triggers_the_shenzhen_stages_or_the_plain_path() -> None:
    plain = CycleRules()
    shenzhen = CycleRules(optional_stages=["defence", "social_evaluation", "public_notice"],
                          candidates_per_class=3)
    states = {"document_review", "site_visit", "consolidated_scoring", "committee_decision"}
    names = {name: [spec.trigger for spec in offered(rules, states)]
             for name, rules in (("plain", plain), ("shenzhen", shenzhen))}
    assert "shortlist" in names["plain"] and "shortlist_for_defence" not in names["plain"]
    assert "finish_site_visit" in names["plain"] and "not_selected" not in names["plain"]
    assert "award_grand" in names["plain"] and "announce_grand" not in names["plain"]
    assert "shortlist_for_defence" in names["shenzhen"] and "shortlist" not in names["shenzhen"]
    assert "begin_social_evaluation" in names["shenzhen"]
    assert "not_selected" in names["shenzhen"] and "announce_grand" in names["shenzhen"]
    assert "award_grand" not in names["shenzhen"]


def test_a_dry_run_lists_every_refusal_in_chinese_then_apply_moves_the_same_selection(
        admin: tuple[TestClient, str], world: World, cases: Cases) -> None:
    client, csrf = admin
    chosen = [*cases.submitted, world.application_id]
    dry = client.post(f"/admin/cycles/{world.cycle_id}/bulk", data={
        "csrf_token": csrf, "trigger": "begin_eligibility_check", "dry_run": "on",
        "ids": chosen})
    assert dry.status_code == 200 and "试运行：未改变任何申报" in dry.text
    refused = dry.text.split('id="refused"')[1]
    assert f"#{world.application_id}" in refused
    assert "「受理并开始资格审核」仅适用于已申报状态的申报；该申报当前为材料评审" in refused
    assert [state_of(world, i) for i in cases.submitted] == ["submitted", "submitted"]
    applied = re.findall(r'name="ids" value="(\d+)"',
                         dry.text.split('id="apply-form"')[1])
    assert applied == [str(i) for i in chosen]  # the same selection, not the filter again

    done = client.post(f"/admin/cycles/{world.cycle_id}/bulk", data={
        "csrf_token": csrf, "trigger": "begin_eligibility_check", "ids": chosen})
    assert done.status_code == 200 and 'id="apply-form"' not in done.text
    assert [state_of(world, i) for i in cases.submitted] == ["eligibility_check"] * 2
    assert state_of(world, world.application_id) == "document_review"
    assert "仅适用于已申报状态" in done.text.split('id="refused"')[1]


def test_a_trigger_outside_the_cycles_procedure_is_refused_before_anything_runs(
        admin: tuple[TestClient, str], world: World) -> None:
    client, csrf = admin
    refused = client.post(f"/admin/cycles/{world.cycle_id}/bulk", data={
        "csrf_token": csrf, "trigger": "shortlist_for_defence", "dry_run": "on",
        "ids": [world.application_id]})
    assert refused.status_code == 422
    assert state_of(world, world.application_id) == "document_review"


def test_the_case_page_offers_the_procedures_actions_translated_with_history_in_beijing(
        admin: tuple[TestClient, str], world: World) -> None:
    client, _ = admin
    page = client.get(f"/admin/cases/{world.application_id}").text
    actions = page.split('id="actions"')[1].split("</section>")[0]
    assert set(re.findall(r'data-trigger="(\w+)"', actions)) == {
        "shortlist", "not_shortlist", "withdraw"}
    assert "入围现场评审" in actions and "专家一（专家" in actions and "的评分表尚未提交" in actions
    assert "is not submitted" not in page
    assigned = page.split('data-stage>')[1]
    assert assigned.startswith("材料评审") and "已分配" in page
    history = page.split('id="history"')[1].split("</ol>")[0]
    assert "受理并开始资格审核: 已申报 → 资格审核" in history and "发现利益冲突" in history
    with world.database.session() as session:  # each moment as the office reads it
        moments = [office_time(r.at) for r in history_of(session, world.application_id)]
    assert re.findall(r"<time>([^<]+)</time>", history) == moments
    assert "北京时间" in page and "版本" not in page


def test_the_case_page_of_a_decided_case_shows_the_frozen_decision_in_beijing_time(
        admin: tuple[TestClient, str], cases: Cases) -> None:
    client, _ = admin
    page = client.get(f"/admin/cases/{cases.awarded}").text
    assert "2026-06-30 10:15" in page.split('id="decided"')[1]
    assert "暂无待办" in page  # an awarded case has no step left


def test_rankings_run_economic_first_with_category_columns_and_two_decimals(
        admin: tuple[TestClient, str], world: World, cases: Cases) -> None:
    client, _ = admin
    page = client.get(f"/admin/cycles/{world.cycle_id}/results").text
    assert page.index("<h2>经济类</h2>") < page.index("<h2>文化类组织/项目奖</h2>")
    economic = page.split('id="class-economic"')[1].split("</section>")[0]
    for name in ("1 领导", "2 战略规划", "6 高质量的运营"):
        assert name in economic
    assert rows_of(economic)[:2] == [cases.awarded, cases.scored]
    scored = economic.split(f'data-id="{cases.scored}"')[1].split("</tr>")[0]
    assert "401.24" in scored and "64.20" in scored  # 500 × 0.80247; 80 × 0.80247
    awarded = economic.split(f'data-id="{cases.awarded}"')[1].split("</tr>")[0]
    assert "大奖" in awarded
    # the chart's axes: 0 to 500 points along the bottom, named; radar labels are names
    ticks = re.findall(r'class="tick x-tick">(\d+)<', economic)
    assert ticks[0] == "0" and ticks[-1] == "500" and len(ticks) == 11
    assert "总分（0–500 分）" in economic
    assert re.search(r'class="name" text-anchor="\w+">战略规划<', economic)


def test_exports_have_chinese_headers_category_columns_and_the_frozen_outcome(
        admin: tuple[TestClient, str], world: World, cases: Cases) -> None:
    client, _ = admin
    export = client.get(f"/api/cycles/{world.cycle_id}/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[:5] == ["类别", "名次", "申报编号", "申报主体", "状态"]
    assert "经济类·1 领导" in header and "文化类组织/项目奖·3 高绩效结果" in header
    by_id = {int(r["申报编号"]): r for r in rows}
    assert [r["类别"] for r in rows] == sorted((r["类别"] for r in rows),
                                             key=lambda c: c != "经济类")
    assert by_id[cases.awarded]["决定结果"] == "大奖"
    assert by_id[cases.awarded]["决定时间（北京时间）"].startswith("2026-06-30 10:15")
    assert by_id[cases.scored]["决定结果"] == ""  # nothing decided yet
    assert by_id[cases.scored]["综合得分"] == "401.24"
    assert by_id[cases.scored]["经济类·1 领导"] == "64.20"
    assert by_id[cases.scored]["文化类组织/项目奖·1 高标准定位"] == ""
    xlsx = client.get(f"/api/cycles/{world.cycle_id}/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert list(values[0]) == header
    total = values[1][header.index("综合得分")]
    assert total == 450 and sheet.cell(2, header.index("综合得分") + 1
                                                    ).number_format == "0.00"


def test_the_guards_refusals_read_in_chinese_and_an_unknown_one_stays_as_written() -> None:
    assigned = refusal("%(stage)s: %(assigned)s of %(needed)s reviewers are assigned",
                       stage=Word("stage", "document_review"), assigned=1, needed=2)
    assert assigned == "document_review: 1 of 2 reviewers are assigned"
    assert translate(assigned) == "材料评审：已分配 1 名评审专家，应为 2 名"
    assert translate(refusal("quorum not reached: %(cast)s of %(eligible)s eligible members "
                             "voted, %(needed)s needed", cast=1, eligible=3, needed=2)) == (
        "未达到法定人数：3 名可表决委员中已有 1 名表决，需 2 名")
    assert translate(refusal("this cycle does not run the %(stage)s stage",
                             stage=Word("stage", "defence"))) == "本周期不设集中答辩环节"
    assert translate(refusal("%(trigger)s needs a written reason",
                             trigger=Word("trigger", "return_for_correction"))) == (
        "「退回补正」须填写理由")
    assert translate("something new happened") == "something new happened"


def test_the_distribution_chart_runs_from_0_to_500_in_bins_of_50() -> None:
    chart = charts.distribution_chart([12.5, 401.2, 401.9, 499.99, 500])
    assert [t.label for t in chart.x_ticks] == [str(n) for n in range(0, 501, 50)]
    assert [b.count for b in chart.bars][-2:] == [2, 2]  # 400–450 twice, 450–500 twice
    assert chart.y_ticks[0].label == "0" and chart.y_ticks[-1].label == "2"
    assert all(chart.left <= b.x and b.x + b.width <= chart.right for b in chart.bars)


def test_the_board_query_filters_searches_and_counts_teams_alike_on_both_databases(
        database: Database) -> None:
    from datetime import timedelta

    from mqa_workflow.accounts.models import Role
    from mqa_workflow.clock import now
    from mqa_workflow.reviews.models import ReviewAssignment
    from tests import factories

    with database.session() as session:
        cycle = factories.cycle(session, rules={"reviewers_per_application": 2})
        reviewer = factories.user(session, Role.REVIEWER)
        named = factories.organization(session, name="深圳丁科技有限公司")
        short = factories.application(session, award_cycle=cycle, state="document_review",
                                      org=named)
        other = factories.application(session, award_cycle=cycle, state="submitted")
        session.add(ReviewAssignment(application_id=short.id, reviewer_id=reviewer.id,
                                     stage="document_review", is_leader=True,
                                     status="submitted", due_at=now() - timedelta(days=1)))
        session.flush()
        board = case_board(session, cycle, BoardQuery(search="丁科技"))
        assert [r.id for r in board.rows] == [short.id] and board.total == 1
        row = board.rows[0]
        # the one sheet is in (not overdue); the team is one short of the rules' two
        assert (row.sheets_in, row.expected, row.uncovered, row.overdue) == (1, 2, True, False)
        assert [r.id for r in case_board(session, cycle, BoardQuery(search=f"#{other.id}")
                                         ).rows] == [other.id]
        assert case_board(session, cycle, BoardQuery(state="submitted")).matching_ids == [
            other.id]
