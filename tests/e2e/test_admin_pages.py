"""End to end in Debian's chromium at 1366×900: an administrator works the case board.

The world of tests/e2e/world.py with the cases of tests/admin_cases.py. The administrator
reads the board (Chinese class and state names, review progress, next deadline in Beijing
time, the team), narrows it to what is overdue, searches, sorts by deadline; ticks the two
submitted cases and application A, is offered only the plain procedure's triggers for
those states, runs a dry run (A refused, the reason in Chinese), applies it to the same
selection; opens a case page (only the procedure's actions, each with what it waits for,
the history in Beijing time); reads the rankings (economic first, category columns, the
chart's axes 0–500, radar labels by category name) and downloads the CSV export.
Screenshots: ``artifacts/e2e/admin-*.png``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from tests.admin_cases import Cases, add_cases, state_of
from tests.e2e.browser import ARTIFACTS
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build
from tests.services import web_server


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield build(database)
    database.engine.dispose()


@pytest.fixture
def cases(world: World) -> Cases:
    return add_cases(world)


def shot(person: Person, name: str) -> None:
    person.page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_an_administrator_filters_the_board_moves_cases_in_bulk_and_reads_the_rankings(
        world: World, cases: Cases, chromium: object) -> None:
    from playwright.sync_api import expect

    with web_server(world.database) as base:
        admin = Person(chromium, base, world.emails["admin"], "admin")
        page = admin.page
        page.set_viewport_size({"width": 1366, "height": 900})

        # The board: every case, Chinese names, progress, deadline, team; no lock version.
        page.goto(f"/admin/cycles/{world.cycle_id}")
        rows = page.locator("#cases tbody tr")
        expect(rows).to_have_count(8)
        a = page.locator(f'#cases tr[data-id="{world.application_id}"]')
        expect(a.locator("[data-class]")).to_have_text("经济类")
        expect(a.locator("[data-state]")).to_have_text("材料评审")
        expect(a.locator("[data-progress]")).to_have_text("材料评审 0 / 2")
        expect(a.locator("[data-team]")).to_contain_text("★专家一")
        expect(a.locator("[data-due]")).to_contain_text(":")
        expect(page.locator("#cases")).not_to_contain_text("版本")
        shot(admin, "01-board")

        # Overdue only, then a search, then the deadline sort.
        page.check("input[name=overdue]")
        page.click("#apply-filter")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("[data-due]")).to_contain_text("已逾期")
        expect(rows.first.locator("[data-team]")).to_contain_text("缺 1 人")
        shot(admin, "02-board-overdue")
        page.goto(f"/admin/cycles/{world.cycle_id}")
        page.fill("input[name=q]", "深圳甲精密")
        page.click("#apply-filter")
        expect(rows).to_have_count(1)
        expect(page.locator("#matching")).to_have_text("共 1 项")
        page.goto(f"/admin/cycles/{world.cycle_id}")
        page.click("a[data-sort=deadline]")
        expect(rows.first).to_have_attribute("data-id", str(cases.short))

        # Tick the two submitted cases and A: only the plain procedure's triggers for them.
        page.goto(f"/admin/cycles/{world.cycle_id}")
        for application_id in [*cases.submitted, world.application_id]:
            page.check(f'#cases tr[data-id="{application_id}"] input.tick')
        page.click("#bulk-selected")
        expect(page.locator("#selected-count")).to_have_text("3")
        options = page.locator("#trigger option")
        values = [options.nth(n).get_attribute("value") for n in range(options.count())]
        assert set(values) == {"begin_eligibility_check", "shortlist", "not_shortlist",
                               "withdraw"}
        shot(admin, "03-bulk-selection")
        page.select_option("#trigger", "begin_eligibility_check")
        page.click("#dry-run")
        expect(page.locator("#dry-run-note")).to_contain_text("试运行")
        expect(page.locator("#moved-count")).to_have_text("2")
        expect(page.locator("#refused")).to_contain_text(
            "「受理并开始资格审核」仅适用于已申报状态的申报；该申报当前为材料评审")
        assert state_of(world, cases.submitted[0]) == "submitted"
        shot(admin, "04-bulk-dry-run")
        page.click("#apply")
        expect(page.locator("#moved-count")).to_have_text("2")
        expect(page.locator("#apply")).to_have_count(0)
        assert [state_of(world, i) for i in cases.submitted] == ["eligibility_check"] * 2
        shot(admin, "05-bulk-applied")

        # The case page: the procedure's actions with what each waits for; the history.
        page.goto(f"/admin/cases/{world.application_id}")
        actions = page.locator("#actions button[data-trigger]")
        expect(actions).to_have_count(3)  # shortlist, not_shortlist, withdraw
        expect(page.locator("#actions")).to_contain_text("的评分表尚未提交")
        expect(page.locator("#actions")).not_to_contain_text("集中答辩")
        expect(page.locator("#history")).to_contain_text("资格审核通过，进入材料评审")
        expect(page.locator("[data-stage]").first).to_have_text("材料评审")
        shot(admin, "06-case")

        # Rankings: economic first, category columns, the axes, radar labels by name.
        page.goto(f"/admin/cycles/{world.cycle_id}/results")
        headings = page.locator("section.card h2")
        expect(headings.first).to_have_text("经济类")
        expect(headings.nth(1)).to_have_text("文化类组织/项目奖")
        economic = page.locator("#class-economic")
        expect(economic.locator("thead")).to_contain_text("2 战略规划")
        expect(economic.locator(f'tr[data-id="{cases.scored}"] [data-total]')
               ).to_have_text("401.24")
        expect(economic.locator(f'tr[data-id="{cases.awarded}"] [data-outcome]')
               ).to_contain_text("大奖")
        expect(economic.locator(".x-tick").last).to_have_text("500")
        expect(economic.locator("svg.radar").first).to_contain_text("战略规划")
        shot(admin, "07-rankings")

        with page.expect_download() as download:
            page.click("#export-csv")
        text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
        assert header[:3] == ["类别", "名次", "申报编号"] and "经济类·1 领导" in header
        assert "决定结果" in header
