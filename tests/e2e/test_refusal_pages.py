"""End to end in Debian's chromium: a refused transition reads in the page's language.

The administrator opens the case page of the world's application (in document review,
its score sheets not submitted): each action lists what it waits for in Chinese. Pressing
"推进" on the shortlist anyway gets the refusal page in Chinese, every unmet condition
with the stage and the transition named in Chinese; switched to English, the same
refusal reads as the command line words it. Screenshots: ``artifacts/e2e/refusal-*.png``.
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


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'refusals.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield build(database)
    database.engine.dispose()


def test_a_refused_transition_reads_in_chinese_then_in_english(
        world: World, chromium: object) -> None:
    from playwright.sync_api import expect

    a = world.application_id
    with web_server(world.database) as base:
        admin = Person(chromium, base, world.emails["admin"], "admin")
        page = admin.page
        page.goto(f"/admin/cases/{a}")
        shortlist = page.locator('form[data-action="shortlist"]')
        expect(shortlist.locator(".problems")).to_contain_text("的评分表尚未提交")
        expect(page.locator("#actions")).not_to_contain_text("document_review")
        page.screenshot(path=str(ARTIFACTS / "refusal-01-case.png"), full_page=True)

        shortlist.locator("button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("p.error")).to_have_text(
            f"无法对申报 {a}（材料评审）执行「入围现场评审」")
        expect(page.locator("ul.problems")).to_contain_text("材料评审：")
        expect(page.locator("main")).not_to_contain_text("is not submitted")
        page.screenshot(path=str(ARTIFACTS / "refusal-02-refused-zh.png"), full_page=True)

        admin.context.add_cookies([{"name": "lang", "value": "en", "url": base}])
        page.goto(f"/admin/cases/{a}")
        page.locator('form[data-action="shortlist"] button[type=submit]').click()
        page.wait_for_load_state()
        expect(page.locator("p.error")).to_have_text(
            f"cannot shortlist application {a} (document_review)")
        expect(page.locator("ul.problems")).to_contain_text("is not submitted")
        page.screenshot(path=str(ARTIFACTS / "refusal-03-refused-en.png"), full_page=True)
