"""End to end in a real headless Chromium: one application's whole path through the pages.

The test starts the web application on a free loopback port (uvicorn, in-process tasks)
and drives Debian's chromium with Playwright as each person in turn: the applicant
fills in and submits, the administrator moves the case, two reviewers score (each
seeing the other's percentages only after their own sheet), the team leader records the
consensus and the site-visit report, the committee votes, the office releases the
results, and only then the applicant reads the feedback report. Screenshots are kept
in ``artifacts/e2e/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mqa_workflow.db import Database
from tests.e2e.browser import ARTIFACTS
from tests.e2e.world import PASSWORD, USCC_A, World, answers, build
from tests.migrated import migrated_sqlite
from tests.services import web_server


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = migrated_sqlite(tmp_path / 'e2e.sqlite3')
    database = Database(url)
    yield build(database, to_review=False, complete=False)
    database.engine.dispose()


@pytest.fixture
def server(world: World) -> Iterator[str]:
    with web_server(world.database) as base:
        yield base


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


AGREED_SUMMARY = "质量文化扎实，对标管理仍需加强。"
AGREED_STRENGTH = "领导层以质量立企，文化理念落实到班组。"


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
    if page.locator("#confirm-statement").count():  # the 回避承诺, once per application
        expect(page.locator("#statement")).to_contain_text("本人承诺")
        reviewer.shot("04a-no-conflict-statement")
        page.click("#confirm-statement")
    page.click("#item-nav [data-goto='1.1']")  # the sheet shows one item at a time
    page.fill("textarea[name='strengths_1.1']", "文化理念体系完整")
    page.fill("textarea[name='opportunities_1.1']", "对标分析不足")
    page.fill("input[name='pct_1.1']", percentage)
    page.click("#save-draft")
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "draft")
    for link in page.locator("#item-nav a.nav-item").all():
        code = link.get_attribute("data-goto")
        if code not in ("profile", "summary"):
            link.click()
            page.fill(f"input[name='pct_{code}']", percentage)
    reviewer.shot(step)
    page.click("#submit-sheet")
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "submitted")


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
    admin.page.goto(f"/admin/cycles/{world.cycle_id}")
    expect(admin.page.locator("#release-refused")).to_contain_text("暂不能发布")
    expect(admin.page.locator("#release-results")).to_have_count(0)
    admin.page.locator("#release").scroll_into_view_if_needed()
    admin.shot("02b-release-refused")

    reviewers = [Person(chromium, server, world.emails[key], key)
                 for key in ("reviewer", "reviewer2")]
    reviewers[0].page.goto("/tasks")
    reviewers[0].shot("03-my-tasks")
    _score(reviewers[0], "document_review", "70", "04-score-sheet")
    # independent scoring: before their own sheet, the second reviewer sees only k of n
    second = reviewers[1].page
    second.goto("/tasks")  # every team member reaches the consensus page from the task
    second.click('a[data-consensus="document_review"]')
    expect(second.locator("#sheets-submitted")).to_contain_text("已提交 1 / 2")
    expect(second.locator("#scores-hidden")).to_be_visible()
    expect(second.locator("table")).to_have_count(0)
    reviewers[1].shot("04b-independent-scoring")
    _score(reviewers[1], "document_review", "70", "04-score-sheet")
    _consensus(reviewers[0], a, "document_review", "05-consensus")

    _advance(admin, a, "shortlist", "现场评审")
    admin.page.fill("input[name=scheduled_on]", "2026-09-01")
    admin.page.fill("textarea[name=issues]", "核实顾客满意度数据")
    admin.page.click("#schedule-visit")
    expect(admin.page.locator("body")).to_contain_text("核实顾客满意度数据")
    for reviewer in reviewers:
        _score(reviewer, "site_visit", "80", "06-site-visit-sheet")
    _consensus(reviewers[0], a, "site_visit", "07-site-visit-consensus")
    # the leader writes the team's agreed text: what the applicant's report will show
    leader = reviewers[0].page
    leader.fill("#agreed-summary", AGREED_SUMMARY)
    leader.fill("textarea[name='strengths_1']", AGREED_STRENGTH)
    leader.click("#save-agreed-feedback")
    expect(leader.locator("#agreed-feedback-saved")).to_be_visible()
    leader = reviewers[0].page
    leader.goto(f"/applications/{a}/site-visit")
    leader.select_option("select[name=verified_0]", "partly")
    leader.fill("textarea[name=finding_0]", "满意度由第三方测评，但样本未覆盖海外客户。")
    leader.fill("textarea[name=report]", "现场核实：顾客满意度数据真实，过程受控。")
    leader.click("#submit-report")
    expect(leader.locator("#visit-findings")).to_contain_text("部分核实")
    expect(leader.locator("#visit-findings")).to_contain_text("样本未覆盖海外客户")
    expect(leader.locator("#visit-report")).to_contain_text("现场核实")
    reviewers[0].shot("08-site-visit-report")

    _advance(admin, a, "finish_site_visit", "综合评分")  # consolidation runs after commit
    _advance(admin, a, "refer_to_committee", "评审委员会审议")

    committee = Person(chromium, server, world.emails["committee"], "committee")
    committee.page.goto("/committee")
    expect(committee.page.locator(f"#case-{a} [data-total]")).to_have_text("380.00")
    # the site visit's finding per issue, beside the scores
    expect(committee.page.locator(".site-visit-findings")).to_contain_text("部分核实")
    committee.page.click('button[data-vote="grand"]')  # the dialog that asks is accepted
    expect(committee.page.locator(".vote")).to_have_text("大奖")
    committee.shot("09-committee-vote")

    _advance(admin, a, "award_grand", "获大奖")
    # The decision as frozen when taken: the winner reads its own award, not "none".
    expect(admin.page.locator("#tally")).to_contain_text("结果: 大奖")
    expect(admin.page.locator("#decided")).to_contain_text("决定于 20")
    expect(admin.page.locator("#times-zone")).to_contain_text("北京时间")  # named once
    admin.shot("10-case-decided")
    admin.page.goto(f"/admin/cycles/{world.cycle_id}/results")
    expect(admin.page.locator("svg.radar")).to_have_count(1)
    expect(admin.page.locator("table.ranking tbody tr").first).to_contain_text("大奖")
    admin.shot("11-rankings")

    # the decision is known, the scores and feedback wait for the office's release
    page.goto(f"/applications/{a}")
    expect(page.locator("#state")).to_contain_text("获大奖")
    expect(page.locator("#feedback-link")).to_have_count(0)
    applicant.shot("12-decided-not-released")
    admin.page.goto(f"/admin/cycles/{world.cycle_id}")
    expect(admin.page.locator("#release-results")).to_be_visible()
    admin.page.locator("#release").scroll_into_view_if_needed()
    admin.shot("13-release-results")
    admin.page.click("#release-results")
    expect(admin.page.locator("#results-released")).to_contain_text("评审结果已发布")
    admin.shot("13b-results-released")

    page.goto(f"/applications/{a}")
    page.click("#feedback-link")
    expect(page.locator("body")).to_contain_text("380.00")
    expect(page.locator(".agreed-summary")).to_contain_text(AGREED_SUMMARY)
    expect(page.locator("body")).to_contain_text(AGREED_STRENGTH)
    # a reviewer's own note stays with the team
    expect(page.locator("body")).not_to_contain_text("文化理念体系完整")
    expect(page.locator("#decision")).to_contain_text("授予大奖")
    expect(page.locator("#site-visit-findings")).to_contain_text("样本未覆盖海外客户")
    applicant.shot("14-feedback-report")
    assert len(list(ARTIFACTS.glob("*.png"))) >= 16


@pytest.fixture
def world_in_review(tmp_path: Path) -> Iterator[World]:
    url = migrated_sqlite(tmp_path / 'e2e-conflicts.sqlite3')
    database = Database(url)
    world = build(database)
    with database.session() as session:  # a spare reviewer, to replace a withdrawn one
        from mqa_workflow.accounts.models import Role
        from mqa_workflow.accounts.service import add_user
        from mqa_workflow.reviews.pool import add_pool_reviewer

        spare = add_user(session, name="专家四", email="r4@pool.cn", roles=[Role.REVIEWER])
        add_pool_reviewer(session, spare, classes=["economic"], industries=["先进制造"],
                          capacity=8, may_lead=False)
    yield world
    database.engine.dispose()


def test_conflict_profiles_and_a_declaration_in_chromium(
        world_in_review: World, chromium: object) -> None:
    from playwright.sync_api import expect

    world = world_in_review
    with web_server(world.database) as server:
        admin = Person(chromium, server, world.emails["admin"], "admin")
        admin.page.goto("/admin/conflicts")
        admin.page.click(f'a[data-edit="{world.emails["committee"]}"]')
        admin.page.fill("input[name=industry]", "先进制造")
        admin.page.fill("textarea[name=engagements]",
                        "91440300MA5F00101X,深圳甲精密制造有限公司,辅导,2024-01-01,2024-06-30")
        admin.page.click("#profile-form button[type=submit]")
        expect(admin.page.locator("body")).to_contain_text("fails its check character")
        admin.shot("20-conflict-profile-refused")
        admin.page.go_back()
        admin.page.fill("textarea[name=engagements]",
                        f"{USCC_A},深圳甲精密制造有限公司,辅导,2024-01-01,2024-06-30")
        admin.page.click("#profile-form button[type=submit]")
        expect(admin.page.locator("textarea[name=engagements]")).to_have_value(
            f"{USCC_A},深圳甲精密制造有限公司,辅导,2024-01-01,2024-06-30")
        admin.shot("20a-conflict-profile-saved")

        reviewer = Person(chromium, server, world.emails["reviewer2"], "reviewer2")
        reviewer.page.goto("/tasks")
        reviewer.page.click("details.withdraw summary")
        reviewer.page.fill("form[data-declare] input[name=reason]", "近亲属在该单位任职")
        reviewer.shot("21-declare-conflict")
        reviewer.page.click("form[data-declare] button[type=submit]")
        expect(reviewer.page.locator("#tasks")).to_contain_text("暂无待办")
        expect(reviewer.page.locator("#notice")).to_contain_text("已申报回避")
        reviewer.shot("21a-conflict-declared")

        admin.page.goto("/admin/conflicts")
        expect(admin.page.locator("#conflicts")).to_contain_text("近亲属在该单位任职")
        expect(admin.page.locator("#conflicts")).to_contain_text("北京时间")
        expect(admin.page.locator("#conflicts")).to_contain_text("咨询/辅导")  # the committee
        admin.shot("22-conflicts-recorded")
        admin.page.goto(f"/admin/cases/{world.application_id}")
        expect(admin.page.locator("body")).to_contain_text("专家四")


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
    office.shot("30-sessions-weak-password")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "南山-评审-口令-2026")
    page.click("#password button[type=submit]")
    expect(page.locator("p.ok")).to_contain_text("密码已修改")
    expect(page.locator("#sessions tbody tr")).to_have_count(1)
    office.shot("30a-sessions-after-password-change")
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
    admin.shot("31-sign-in-locks")
    admin.page.click("#locks button[type=submit]")
    expect(admin.page.locator("p.ok")).to_contain_text("已解除锁定")
    expect(admin.page.locator("#locks")).not_to_contain_text(locked)
    assert httpx.post(f"{server}/api/auth/login", json={
        "email": locked, "password": PASSWORD}).status_code == 200
