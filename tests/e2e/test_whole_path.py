"""End to end in a real headless Chromium: one application's whole path through the pages.

The test starts the web application on a free loopback port (uvicorn, in-process tasks)
and drives Debian's chromium with Playwright as each person in turn: the applicant
fills in and submits, the administrator moves the case, two reviewers score, the team
leader records the consensus and the site-visit report, the committee votes, and the
applicant reads the feedback report. Screenshots are kept in ``artifacts/e2e/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from tests.e2e.world import PASSWORD, World, answers, build
from tests.services import web_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
REQUIRED = os.environ.get("MQA_REQUIRE_SERVICES") == "1"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]


def _need(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message) if REQUIRED else pytest.skip(message)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield build(database, to_review=False, complete=False)
    database.engine.dispose()


@pytest.fixture
def server(world: World) -> Iterator[str]:
    with web_server(world.database) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    _need(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
          f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright package is not installed (pip install -e '.[test]')")
        raise
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Person:
    """One person's browser context, signed in through the sign-in page."""

    def __init__(self, browser: object, base: str, email: str, name: str) -> None:
        self.context = browser.new_context(base_url=base, viewport={"width": 1280,  # type: ignore[attr-defined]
                                                                    "height": 900})
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.name = name
        self.page.goto("/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{step}-{self.name}.png"), full_page=True)


def _advance(admin: Person, application_id: int, trigger: str, state_label: str) -> None:
    from playwright.sync_api import expect

    admin.page.goto(f"/admin/cases/{application_id}")
    admin.page.click(f'button[data-trigger="{trigger}"]')
    expect(admin.page.locator("#state")).to_contain_text(state_label)


def _score(reviewer: Person, stage: str, percentage: str, step: str) -> None:
    from playwright.sync_api import expect

    page = reviewer.page
    page.goto("/tasks")
    page.click(f'a[data-stage="{stage}"]')
    page.fill("textarea[name='strengths_1.1']", "文化理念体系完整")
    page.fill("textarea[name='opportunities_1.1']", "对标分析不足")
    page.locator("select.pct").first.select_option(percentage)
    page.click("#save-draft")
    expect(page.locator("#sheet-status")).to_have_text("draft")
    for select in page.locator("select.pct").all():
        select.select_option(percentage)
    reviewer.shot(step)
    page.click("#submit-sheet")
    expect(page.locator("#sheet-status")).to_have_text("submitted")


def _consensus(leader: Person, application_id: int, stage: str, step: str) -> None:
    from playwright.sync_api import expect

    leader.page.goto(f"/applications/{application_id}/consensus/{stage}")
    leader.page.click("#record-consensus")
    expect(leader.page.locator("#consensus-recorded")).to_be_visible()
    leader.shot(step)


def test_one_application_from_submission_to_feedback_in_chromium(
        world: World, server: str, chromium: object) -> None:
    from playwright.sync_api import expect

    a = world.application_id
    applicant = Person(chromium, server, world.emails["applicant"], "applicant")
    page = applicant.page
    page.goto(f"/applications/{a}")
    page.fill("textarea[name=profile]", "深圳甲精密制造有限公司成立于2008年……")
    for code, text in answers().items():
        page.fill(f"textarea[name='item_{code}']", text)
    page.click("#save-answers")
    page.set_input_files("input[type=file]", files=[{
        "name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 e2e"}])
    page.click("#documents button[type=submit]")
    expect(page.locator("#documents")).to_contain_text("营业执照.pdf")
    applicant.shot("01-application-form")
    page.click("button[value=submit]")
    expect(page.locator("#state")).to_contain_text("已申报")

    admin = Person(chromium, server, world.emails["admin"], "admin")
    _advance(admin, a, "begin_eligibility_check", "资格审核")
    _advance(admin, a, "confirm_eligible", "材料评审")  # the solver assigns the team
    admin.shot("02-case-in-document-review")

    reviewers = [Person(chromium, server, world.emails[key], key)
                 for key in ("reviewer", "reviewer2")]
    reviewers[0].page.goto("/tasks")
    reviewers[0].shot("03-my-tasks")
    for reviewer in reviewers:
        _score(reviewer, "document_review", "70", "04-score-sheet")
    _consensus(reviewers[0], a, "document_review", "05-consensus")

    _advance(admin, a, "shortlist", "现场评审")
    admin.page.fill("input[name=scheduled_on]", "2026-09-01")
    admin.page.fill("textarea[name=issues]", "核实顾客满意度数据")
    admin.page.click("#schedule-visit")
    expect(admin.page.locator("body")).to_contain_text("核实顾客满意度数据")
    for reviewer in reviewers:
        _score(reviewer, "site_visit", "80", "06-site-visit-sheet")
    _consensus(reviewers[0], a, "site_visit", "07-site-visit-consensus")
    leader = reviewers[0].page
    leader.goto(f"/applications/{a}/site-visit")
    leader.fill("textarea[name=report]", "现场核实：顾客满意度数据真实，过程受控。")
    leader.click("#submit-report")
    expect(leader.locator("#visit-report")).to_contain_text("现场核实")
    reviewers[0].shot("08-site-visit-report")

    _advance(admin, a, "finish_site_visit", "综合评分")  # consolidation runs after commit
    _advance(admin, a, "refer_to_committee", "评审委员会审议")

    committee = Person(chromium, server, world.emails["committee"], "committee")
    committee.page.goto("/committee")
    expect(committee.page.locator("#committee")).to_contain_text("380")
    committee.page.click('button[data-vote="grand"]')
    expect(committee.page.locator(".vote")).to_have_text("大奖")
    committee.shot("09-committee-vote")

    _advance(admin, a, "award_grand", "获大奖")
    admin.shot("10-case-decided")
    admin.page.goto(f"/admin/cycles/{world.cycle_id}/results")
    expect(admin.page.locator("svg.radar")).to_have_count(1)
    admin.shot("11-rankings")

    page.goto(f"/applications/{a}")
    expect(page.locator("#state")).to_contain_text("获大奖")
    page.click("#feedback-link")
    expect(page.locator("body")).to_contain_text("380.000")
    expect(page.locator("body")).to_contain_text("文化理念体系完整")
    applicant.shot("12-feedback-report")
    assert len(list(ARTIFACTS.glob("*.png"))) >= 12


def test_a_person_sees_their_sessions_and_a_password_change_ends_the_others(
        world: World, server: str, chromium: object) -> None:
    from playwright.sync_api import expect

    office = Person(chromium, server, world.emails["reviewer"], "reviewer-office")
    home = Person(chromium, server, world.emails["reviewer"], "reviewer-home")
    page = office.page
    page.click("a.who")  # the name in the header opens the person's sessions
    expect(page.locator("#sessions tbody tr")).to_have_count(2)
    expect(page.locator("#sessions")).to_contain_text("当前会话")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "aaaaaaaaaaaaaaaa")
    page.click("#password button[type=submit]")
    expect(page.locator("#password .error")).to_contain_text("不同字符")
    office.shot("13-sessions-weak-password")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "南山-评审-口令-2026")
    page.click("#password button[type=submit]")
    expect(page.locator("p.ok")).to_contain_text("密码已修改")
    expect(page.locator("#sessions tbody tr")).to_have_count(1)
    office.shot("14-sessions-after-password-change")
    home.page.goto("/tasks")
    expect(home.page).to_have_url(re.compile(r"/login\?next="))  # the other one ended
    page.click("#logout-everywhere")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/account/sessions")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_an_administrator_sees_a_locked_account_and_unlocks_it(
        world: World, server: str, chromium: object) -> None:
    import httpx
    from playwright.sync_api import expect

    locked = world.emails["reviewer2"]
    for n in range(6):
        httpx.post(f"{server}/api/auth/login", json={"email": locked,
                                                     "password": f"guess-{n}"})
    admin = Person(chromium, server, world.emails["admin"], "admin")
    admin.page.goto("/ops")
    admin.page.click("#sign-in-locks")
    expect(admin.page.locator("#locks")).to_contain_text(locked)
    admin.shot("15-sign-in-locks")
    admin.page.click("#locks button[type=submit]")
    expect(admin.page.locator("p.ok")).to_contain_text("已解除锁定")
    expect(admin.page.locator("#locks")).not_to_contain_text(locked)
    assert httpx.post(f"{server}/api/auth/login", json={
        "email": locked, "password": PASSWORD}).status_code == 200
