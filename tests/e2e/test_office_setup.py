"""End to end in Debian's chromium: an administrator sets up a Shenzhen cycle in the browser
(a form with mistakes first: every problem beside its field, nothing stored), invites a
reviewer whose one-time link sets the password, and imports reviewers from a file with a
bad row (named by its number, nothing imported) and then a good one (preview, import).
Screenshots: ``artifacts/e2e/setup-*.png``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from mqa_workflow.accounts.models import User
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.reviews.models import PoolReviewer
from tests.e2e.browser import ARTIFACTS
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build
from tests.services import web_server

HEADER = "email,name,classes,industries,capacity,may_lead,employer_uscc,industry,district\n"
GOOD = "li@pool.cn,李专家,economic;service,电子信息;先进制造,8,是,,电子信息,南山区\n"
BAD = "zhao@pool.cn,赵专家,economic,先进制造,八,否,,,\n"
NEW_PASSWORD = "a-fresh-long-passphrase-31"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'setup.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield build(database, to_review=False)
    database.engine.dispose()


def test_an_administrator_sets_up_a_cycle_people_and_the_pool(
        world: World, chromium: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with web_server(world.database) as base:
        admin = Person(chromium, base, world.emails["admin"], "admin")
        page = admin.page
        page.goto("/admin")
        page.click("#new-cycle")
        expect(page.locator("h1")).to_contain_text("评审周期设置")
        # The quorum as the office writes it; dates typed the same in every browser locale.
        expect(page.locator("input[name='rules.committee_quorum']")).to_have_value("2/3")
        expect(page.locator("input[name='deadlines.submission']")).to_have_attribute(
            "placeholder", "YYYY-MM-DD")
        page.fill("input[name=name]", "2027年度深圳市市长质量奖")
        page.fill("input[name=year]", "2027")
        page.fill("input[name='deadlines.submission']", "2027-06-01")
        page.fill("input[name='deadlines.document_review']", "2027-05-01")
        page.fill("input[name='rules.reviewers_per_application']", "0")
        page.check("input[name='rules.optional_stages'][value=defence]")
        page.check("input[name='rules.optional_stages'][value=public_notice]")
        page.fill("input[name='rules.score_weights.document_review']", "0.3")
        page.fill("input[name='rules.score_weights.site_visit']", "0.5")
        page.fill("input[name='rules.score_weights.defence']", "0.3")
        page.fill("input[name='rules.award_quotas.economic.grand']", "-1")
        page.fill("textarea[name='rules.calendar.holidays']", "2027-10-01..2027-10-07")
        page.click("#save-setup")
        expect(page.locator("#problems")).to_contain_text("未保存")
        expect(page.locator("[data-field='deadlines.document_review']")).to_contain_text(
            "早于前一阶段")
        expect(page.locator("[data-field='rules.reviewers_per_application']")).to_contain_text(
            "不得小于 1")
        expect(page.locator("[data-field='rules.score_weights']")).to_contain_text("权重之和须为 1")
        expect(page.locator("[data-field='rules.award_quotas.economic.grand']")).to_contain_text(
            "不得小于 0")
        admin.shot("setup-01-cycle-problems")
        with world.database.session() as session:
            assert session.scalar(select(AwardCycle).where(AwardCycle.year == 2027)) is None

        page.fill("input[name='deadlines.document_review']", "2027-07-15")
        page.fill("input[name='rules.reviewers_per_application']", "5")
        page.fill("input[name='rules.score_weights.defence']", "0.2")
        page.fill("input[name='rules.award_quotas.economic.grand']", "1")
        page.click("#save-setup")
        expect(page.locator("#saved")).to_contain_text("已保存")
        expect(page.locator("input[name='deadlines.document_review']")).to_have_value(
            "2027-07-15")
        admin.shot("setup-02-cycle-saved")
        with world.database.session() as session:
            cycle = session.scalar(select(AwardCycle).where(AwardCycle.year == 2027))
            assert cycle is not None and cycle.rules.optional_stages == ["defence",
                                                                         "public_notice"]

        page.goto("/admin/people")
        page.fill("#invite-form input[name=name]", "新专家")
        page.fill("#invite-form input[name=email]", "new@pool.cn")
        page.check("#invite-form input[name=roles][value=reviewer]")
        page.click("#invite-form button[type=submit]")
        link = page.locator("#invitation-link").input_value()
        assert "/invite/" in link
        admin.shot("setup-03-invited")

        bad_file = tmp_path / "专家.csv"
        bad_file.write_text(HEADER + GOOD + BAD, encoding="utf-8")
        page.select_option("#import-form select[name=kind]", "reviewers")
        page.set_input_files("#import-form input[name=file]", str(bad_file))
        page.click("#import-form button[type=submit]")
        expect(page.locator("#preview")).to_contain_text("未导入任何数据")
        expect(page.locator("#import-problems li[data-row='3']")).to_contain_text("第 3 行")
        expect(page.locator("#import-problems li[data-row='3']")).to_contain_text("capacity")
        admin.shot("setup-04-import-bad-row")
        with world.database.session() as session:
            assert session.scalar(select(User).where(User.email == "li@pool.cn")) is None

        good_file = tmp_path / "专家-改.csv"
        good_file.write_text(HEADER + GOOD, encoding="utf-8")
        page.select_option("#import-form select[name=kind]", "reviewers")
        page.set_input_files("#import-form input[name=file]", str(good_file))
        page.click("#import-form button[type=submit]")
        expect(page.locator("#preview")).to_contain_text("将导入：1")
        page.click("#apply-import button[type=submit]")
        expect(page.locator("#imported")).to_contain_text("已导入")
        expect(page.locator("tr[data-email='li@pool.cn']")).to_contain_text("经济类")
        admin.shot("setup-05-imported")
        with world.database.session() as session:
            person = session.scalar(select(User).where(User.email == "li@pool.cn"))
            assert person is not None and session.get(PoolReviewer, person.id) is not None

        newcomer = chromium.new_context(base_url=base)  # type: ignore[attr-defined]
        invited = newcomer.new_page()
        invited.goto(link)
        expect(invited.locator("h1")).to_contain_text("设置密码")
        expect(invited.locator(".card")).to_contain_text("new@pool.cn")
        invited.screenshot(path=str(ARTIFACTS / "setup-06-invitation-form.png"),
                           full_page=True)
        invited.fill("input[name=password]", NEW_PASSWORD)
        invited.fill("input[name=password_again]", NEW_PASSWORD)
        invited.click("#invitation-form button[type=submit]")
        invited.fill("input[name=email]", "new@pool.cn")
        invited.fill("input[name=password]", NEW_PASSWORD)
        invited.click("button[type=submit]")
        expect(invited.locator("header nav")).to_contain_text("新专家")
        invited.goto(link)
        expect(invited.locator(".error")).to_contain_text("邀请链接无效")
        invited.screenshot(path=str(ARTIFACTS / "setup-07-invitation-used.png"),
                           full_page=True)
