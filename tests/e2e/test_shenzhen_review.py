"""End to end in Debian's chromium: the award office runs the Shenzhen review stages in the
browser. From the case board to the eligibility review: a facts file with a bad row (named
by its number, nothing imported), the facts entered in the form and checked with every
rule's evidence, a confirmation against the failed check refused until its reason is
written; then the defence schedule in Beijing time (an overlapping slot refused) and the
social-evaluation results. Screenshots: ``artifacts/e2e/review-*.png``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build
from tests.services import web_server
from tests.web.test_shenzhen_review_pages import (
    CSV_HEADER,
    put_in,
    recent,
    shenzhen,
    to_eligibility_check,
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    upgrade(url)
    database = Database(url)
    built = build(database, to_review=False)
    shenzhen(built)
    to_eligibility_check(built)
    yield built
    database.engine.dispose()


def test_the_office_runs_eligibility_defence_and_social_evaluation_in_the_browser(
        world: World, chromium: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    a, b = world.application_id, world.other_application_id
    with web_server(world.database) as base:
        admin = Person(chromium, base, world.emails["admin"], "admin")
        page = admin.page
        page.goto(f"/admin/cycles/{world.cycle_id}")
        page.click("#link-eligibility")
        expect(page.locator("h1")).to_contain_text("资格审查")
        expect(page.locator(f"#waiting tr[data-id='{a}']")).to_contain_text("尚未核查")

        facts = tmp_path / "核查信息.csv"
        facts.write_text(CSV_HEADER + f"{a},registered,2015-06-01,,,,,\n"
                         f"{a},no_penalties,,,,,,\n{b},registered,2018-03-01,,,,,\n",
                         encoding="utf-8")
        page.set_input_files("#import-form input[name=file]", str(facts))
        page.click("#import-form button[type=submit]")
        expect(page.locator("#preview")).to_contain_text("未导入任何数据")
        expect(page.locator("#import-problems")).to_contain_text("第 4 行")
        expect(page.locator("#import-problems")).to_contain_text("不处于资格审核阶段")
        admin.shot("review-01-eligibility-import-bad-row")

        page.click(f"#waiting tr[data-id='{a}'] a")
        page.fill("input[name=registered_on]", "2015-06-01")
        page.fill("input[name='penalties.0.decided_on']", recent())
        page.fill("input[name='penalties.0.authority']", "深圳市市场监督管理局")
        page.fill("input[name='penalties.0.description']", "产品标签不规范，责令改正")
        page.check("input[name='accidents.checked']")
        page.check("input[name='past_awards.checked']")
        page.click("#run-check")
        expect(page.locator("#done")).to_contain_text("已保存并完成核查")
        expect(page.locator("#outcome")).to_contain_text("不符合资格条件")
        expect(page.locator("#rules tbody tr")).to_have_count(4)
        expect(page.locator("#rules tr[data-rule='penalty_free_years']")).to_contain_text(
            "有 1 项行政处罚")
        page.click("form[data-decision='confirm_eligible'] button")
        expect(page.locator("#decision-problems")).to_contain_text("须填写理由")
        admin.shot("review-02-eligibility-check-and-override-refused")

        page.fill("form[data-decision='confirm_eligible'] input[name=reason]",
                  "处罚系标签问题，已整改完毕，经审查同意例外受理")
        page.click("form[data-decision='confirm_eligible'] button")
        expect(page.locator("#state")).to_contain_text("材料评审")
        expect(page.locator("#override")).to_contain_text("已整改完毕")
        admin.shot("review-03-eligibility-confirmed-by-override")

        put_in(world, ApplicationState.DEFENCE, a, b)
        page.goto(f"/admin/cycles/{world.cycle_id}")
        page.click("#link-defence")
        for application_id, at in ((a, "14:00"), (b, "14:15")):
            form = page.locator(f"form[data-schedule='{application_id}']")
            form.locator("input[name=day]").fill("2026-07-01")
            form.locator("input[name=time]").fill(at)
            form.locator("input[name=room]").fill("市民中心第一会议室")
            form.locator("button").click()
        expect(page.locator(f"#refused-{b}")).to_contain_text("北京时间 2026-07-01 14:00")
        admin.shot("review-04-defence-overlap-refused")
        form = page.locator(f"form[data-schedule='{b}']")
        form.locator("input[name=time]").fill("09:30")
        form.locator("button").click()
        expect(page.locator("table.day-schedule tbody tr").first).to_contain_text("09:30")
        expect(page.locator("table.day-schedule tbody tr").nth(1)).to_contain_text("14:00")
        admin.shot("review-05-defence-schedule")

        put_in(world, ApplicationState.SOCIAL_EVALUATION, a, b)
        page.goto(f"/admin/cycles/{world.cycle_id}")
        page.click("#link-social")
        form = page.locator(f"form[data-record='{a}']")
        form.locator("input[name=satisfaction]").fill("120")
        form.locator("input[name=respondents]").fill("300")
        form.locator("input[name=method]").fill("第三方机构电话调查")
        form.locator("button").click()
        expect(page.locator(f"#refused-{a}")).to_contain_text("超出范围")
        form = page.locator(f"form[data-record='{a}']")
        form.locator("input[name=satisfaction]").fill("87.5")
        form.locator("button").click()
        expect(page.locator(f"#social-{a} [data-satisfaction]")).to_contain_text("87.50")
        admin.shot("review-06-social-evaluation")
        page.goto(f"/admin/cases/{a}")
        expect(page.locator("#history")).to_contain_text("记录社会评价结果")
        expect(page.locator("#history")).to_contain_text("安排集中答辩")
        expect(page.locator("#stage-link")).to_contain_text("社会评价结果")
        admin.shot("review-07-case-history")
