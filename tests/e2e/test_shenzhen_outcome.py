"""End to end in Debian's chromium: the award office works the Shenzhen outcome stages.

The world of tests/e2e/world.py with the Shenzhen cycle of tests/shenzhen_outcome_cases.py.
The administrator opens the candidate list from the case board, runs the dry run (each
application's reason, the balance skip and the tie explained), applies it; opens the public
notice (open objections first, each notice's status), has an objection without evidence
refused beside its form, records one, upholds the open one with a finding and removes the
candidate through the state machine's own step; reads the fairness report.
Screenshots: ``artifacts/e2e/shenzhen-outcome-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from tests.e2e.browser import ARTIFACTS
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build
from tests.services import web_server
from tests.shenzhen_outcome_cases import OutcomeCases, add_outcome_cases


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'outcome.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield build(database)
    database.engine.dispose()


@pytest.fixture
def cases(world: World) -> OutcomeCases:
    return add_outcome_cases(world)


def shot(person: Person, name: str) -> None:
    person.page.screenshot(path=str(ARTIFACTS / f"shenzhen-outcome-{name}.png"),
                           full_page=True)


def test_the_office_draws_the_candidates_handles_objections_and_reads_the_fairness_report(
        world: World, cases: OutcomeCases, chromium: object) -> None:
    from playwright.sync_api import expect

    with web_server(world.database) as base:
        admin = Person(chromium, base, world.emails["admin"], "admin")
        page = admin.page
        page.set_viewport_size({"width": 1366, "height": 900})

        # From the case board to the candidate list: totals with two decimals, the rule.
        page.goto(f"/admin/cycles/{cases.cycle_id}")
        page.click("#to-candidates")
        expect(page.locator("h1")).to_contain_text("差额选拔")
        expect(page.locator("#balance")).to_have_text("每个行业最多 1 名")
        expect(page.locator("#selection tbody tr").first.locator("[data-total]")
               ).to_have_text("431.20")
        shot(admin, "01-candidates")

        # The dry run: every application's reason, the balance skip and the tie.
        page.click("#dry-run")
        second = page.locator(f'#selection tr[data-id="{cases.scored[1]}"]')
        expect(second.locator("[data-decision]")).to_contain_text("未入选")
        expect(second.locator("[data-reason]")).to_contain_text("为保持均衡跳过；由第 3 名递补")
        expect(second.locator("[data-reason]")).to_contain_text("与第 3 名同分")
        shot(admin, "02-candidates-dry-run")
        page.click("#apply")
        expect(page.locator("#applied")).to_contain_text("候选名单已记录")
        expect(page.locator("#recorded tbody tr")).to_have_count(4)
        shot(admin, "03-candidates-applied")

        # The public notice: the open objection first, each notice's status.
        page.goto(f"/admin/cycles/{cases.cycle_id}")
        page.click("#to-notice")
        expect(page.locator("#open-objections [data-objection]")).to_have_count(1)
        quiet = page.locator(f'[data-notice="{cases.quiet}"]')
        expect(quiet.locator("[data-sentence]")).to_contain_text("公示中，至 2026-06-17 止")
        shot(admin, "04-notice")

        # An objection without evidence is refused beside its form, what was typed kept.
        quiet.locator("summary").click()
        quiet.locator("input[name=filed_by]").fill("匿名")
        quiet.locator("textarea[name=grounds]").fill("获奖项目的服务覆盖范围存疑")
        quiet.locator("button.primary").click()
        refused = page.locator(f'[data-refused="object-{cases.quiet}"]')
        expect(refused).to_contain_text("证据：异议须附至少一项证据")
        expect(page.locator(f'[data-notice="{cases.quiet}"] textarea[name=grounds]')
               ).to_have_value("获奖项目的服务覆盖范围存疑")
        shot(admin, "05-notice-objection-refused")
        form = page.locator(f'[data-notice="{cases.quiet}"]')
        form.locator("textarea[name=evidence]").fill("媒体报道截图")
        form.locator("button.primary").click()
        expect(page.locator("#open-objections [data-objection]")).to_have_count(2)

        # Uphold the first objection with a finding; the removal is then ready.
        first = page.locator(f'[data-objection="{cases.objection}"]')
        first.locator("textarea[name=reason]").fill("经调查，满意度数据口径与第三方报告不一致")
        first.locator('button[data-verdict="uphold"]').click()
        noticed = page.locator(f'[data-notice="{cases.noticed}"]')
        expect(noticed).to_have_attribute("data-status", "removed")
        expect(noticed.locator('[data-action="remove_after_objection"] .ok')).to_be_visible()
        shot(admin, "06-notice-upheld")
        noticed.locator('[data-action="remove_after_objection"] input[name=reason]').fill(
            "异议成立：满意度数据不实")
        noticed.locator('button[data-trigger="remove_after_objection"]').click()
        expect(page.locator(f'[data-ended="{cases.noticed}"]')).to_contain_text("未获奖")
        expect(page.locator(f'[data-ended="{cases.noticed}"]')).not_to_contain_text("请执行")
        shot(admin, "07-notice-removed")

        # The fairness report, per class and stage, in plain words.
        page.goto(f"/admin/cycles/{cases.cycle_id}/fairness")
        expect(page.locator("#official")).to_contain_text("正式结果以共识分为准")
        expect(page.locator("#reviewers tbody tr")).to_have_count(3)
        expect(page.locator("#no-reorder")).to_be_visible()
        shot(admin, "08-fairness")
