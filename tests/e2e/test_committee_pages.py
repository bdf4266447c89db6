"""End to end in Debian's chromium at 1366×900: a committee member reads and votes.

The demo's cycle is left at consolidated scoring, made blind, and referred (eleven
applications of six classes, one member recused from one). The member finds the referral
notice in the inbox, follows its link to the case, reads the list grouped by class (the
standard's order, economic first) with each class's quota, each application's category
subtotals, consolidated total (two decimals, out of 500), site-visit report and the teams'
strengths and opportunities; votes (a dialog asks first: dismissed, nothing counts;
accepted, the vote is recorded and the name shows), then changes the vote. Screenshots:
``artifacts/e2e/committee-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.committee.models import CommitteeVote
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.demo.service import run_demo
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.engine import advance
from mqa_workflow.worker.dispatch import dispatch_pending
from tests.e2e.browser import ARTIFACTS
from tests.e2e.world import PASSWORD
from tests.services import web_server


@pytest.fixture
def referred(tmp_path: Path) -> Iterator[tuple[Database, str]]:
    url = f"sqlite:///{tmp_path / 'committee.sqlite3'}"
    upgrade(url)
    database = Database(url)
    outcome = run_demo(database, applications=12, seed=4, reports_dir=tmp_path / "r",
                       stop_at="consolidated_scoring", password=PASSWORD)
    with database.session() as session:  # a blind committee, then the office refers
        cycle = session.get_one(AwardCycle, outcome.cycle_id)
        cycle.rules_data = cycle.rules_data | {"blind_committee": True}
        admin = get_user(session, outcome.sign_in[Role.ADMINISTRATOR])
        for application_id in session.scalars(select(Application.id).where(
                Application.state == "consolidated_scoring")):
            advance(session, application_id, "refer_to_committee", admin)
    dispatch_pending(database)  # the referral notices
    yield database, outcome.sign_in[Role.COMMITTEE_MEMBER]
    database.engine.dispose()


def _vote_of(database: Database, email: str, application_id: int) -> str | None:
    with database.session() as session:
        member = get_user(session, email)
        return session.scalar(select(CommitteeVote.choice).where(
            CommitteeVote.application_id == application_id,
            CommitteeVote.member_id == member.id))


def test_a_member_reads_the_classes_and_votes_with_confirmation_then_changes_the_vote(
        referred: tuple[Database, str], chromium: object) -> None:
    from playwright.sync_api import expect

    database, email = referred
    with database.session() as session:
        economic = session.scalars(select(Application).where(
            Application.award_class == "economic", Application.state == "committee_decision")
            .order_by(Application.id)).all()
        scores = {a.id: session.get_one(ConsolidatedScore, a.id) for a in economic}
        first = min(economic, key=lambda a: scores[a.id].rank or 99)
        name, first_id = first.title, first.id
        total = f"{scores[first_id].total:.2f}"
        classes = [c for c in CLASS_IDS if session.scalar(select(Application.id).where(
            Application.award_class == c, Application.state == "committee_decision"))]

    with web_server(database) as base:
        context = chromium.new_context(base_url=base,  # type: ignore[attr-defined]
                                       viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/committee$"))

        def shot(step: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"committee-{step}.png"), full_page=True)

        # The inbox: a notice for each referral, in Chinese, blind (no applicant's name),
        # linking straight to the case.
        page.goto("/inbox")
        notice = page.locator("details.notice", has_text=f"申报 #{first_id}（经济类，匿名）")
        expect(notice).to_have_count(1)
        expect(notice).to_contain_text("提请评审委员会审议")
        assert name not in page.content()
        notice.locator("summary").click()
        notice.locator(f"a[href$='/committee/{first_id}']").click()
        expect(page).to_have_url(re.compile(rf"/committee/{first_id}$"))
        expect(page.locator("h1")).to_contain_text("匿名")
        expect(page.locator("table.item-scores tbody tr")).to_have_count(18)
        expect(page.locator("table.item-scores")).to_contain_text("1.1 文化引领")
        shot("02-case")

        # The list: the classes in the standard's order, each with its quota.
        page.goto("/committee")
        shown = page.locator("section.class-group").evaluate_all(
            "sections => sections.map(s => s.dataset.class)")
        assert shown == classes and shown[0] == "economic"
        group = page.locator("#class-economic")
        expect(group.locator("h2")).to_contain_text("经济类")
        expect(group.locator("[data-quota]")).to_contain_text("名额：大奖 1 名 · 鼓励奖 1 名")
        expect(group.locator("[data-quota]")).to_contain_text(f"候选 {len(economic)} 项")
        card = page.locator(f"#case-{first_id}")
        expect(card.locator("[data-total]")).to_have_text(total)
        expect(card.locator(".total")).to_contain_text("/ 500")
        expect(card.locator("[data-rank]")).to_have_text(str(scores[first_id].rank))
        subtotal = card.locator("tr[data-category='1'] td.num")
        expect(subtotal).to_have_text(re.compile(r"^\d+\.\d\d / \d+"))
        expect(card.locator(".visit-report")).to_contain_text("现场核查确认")
        expect(card.locator(".site-visit-findings li")).to_have_count(2)
        expect(card.locator(".notes-grid")).to_contain_text("方法系统、展开充分")
        expect(card.locator(".notes-grid li")).to_have_count(4)  # the first three, and 无
        expect(card.locator("a[data-all-notes]")).to_have_attribute("href",
                                                                    f"/committee/{first_id}")
        page_text = page.locator("main").inner_text()
        for raw in ("economic", "committee_decision", "document_review", "grand"):
            assert raw not in page_text, raw  # names in words, never identifiers
        assert name not in page_text  # blind until the member's own vote
        shot("01-list")

        # The vote asks first: dismissed, nothing counts.
        asked: list[str] = []

        def dismiss(dialog: object) -> None:
            asked.append(dialog.message)  # type: ignore[attr-defined]
            dialog.dismiss()  # type: ignore[attr-defined]

        page.once("dialog", dismiss)
        card.locator("button[data-vote='grand']").click()
        assert asked and "确认" in asked[0] and "大奖" in asked[0]
        assert "计票结束前可以修改表决" in asked[0]
        expect(card.locator("[data-vote-shown]")).to_have_text("尚未表决")
        assert _vote_of(database, email, first_id) is None

        # Accepted: recorded, the name shows now, the chosen button is marked.
        page.once("dialog", lambda dialog: dialog.accept())
        card.locator("button[data-vote='grand']").click()
        expect(page.locator("#notice")).to_have_text("您的表决已记录")
        card = page.locator(f"#case-{first_id}")
        expect(card.locator("[data-vote-shown]")).to_have_text("大奖")
        expect(card.locator("h3")).to_have_text(name)
        expect(card.locator("button[data-vote='grand']")).to_be_disabled()
        assert _vote_of(database, email, first_id) == "grand"

        # Changed before the tally closes.
        page.once("dialog", lambda dialog: dialog.accept())
        card.locator("button[data-vote='encouragement']").click()
        expect(page.locator("#notice")).to_have_text("您的表决已修改")
        expect(page.locator(f"#case-{first_id} [data-vote-shown]")).to_have_text("鼓励奖")
        expect(page.locator("#committee-summary")).to_contain_text("您已表决 1 项")
        assert _vote_of(database, email, first_id) == "encouragement"
        shot("03-vote-changed")
        context.close()
