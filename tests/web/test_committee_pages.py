"""The committee's pages on the server side: the referred applications by class with the
quota, scores in two decimals out of 500 and names in words; a vote counted only once
confirmed (its own page asks when the browser ran no script) and changed until the
tally closes; blind mode; and the inbox notice of a referral."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import add_user, get_user
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.committee.models import CommitteeDecision, CommitteeVote
from mqa_workflow.db import Database
from mqa_workflow.notifications.committee import notify_committee_referral
from mqa_workflow.notifications.models import Notification
from mqa_workflow.reviews.models import ConflictOfInterest, ConsensusSheet, ReviewStage
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.sheet import score_sheet
from mqa_workflow.states.table import BY_TRIGGER
from tests import factories
from tests.e2e.world import World, build
from tests.web.test_pages import sign_in


@pytest.fixture
def world(sqlite_database: Database) -> World:
    """Application A before the committee with its consolidated score (70 % everywhere)."""
    world = build(sqlite_database, to_review=False)
    with world.database.session() as session:
        application = session.get_one(Application, world.application_id)
        application.state = ApplicationState.COMMITTEE_DECISION
        breakdown = score_sheet(load_standard("economic"), factories.everything(70))
        session.add(ConsolidatedScore(
            application_id=application.id, total=breakdown.total,
            document_review_total=breakdown.total, site_visit_total=breakdown.total,
            breakdown=breakdown.to_json(), weights={}, rank=1))
    return world


def stored_vote(world: World) -> str | None:
    with world.database.session() as session:
        member = get_user(session, world.emails["committee"])
        return session.scalar(select(CommitteeVote.choice).where(
            CommitteeVote.application_id == world.application_id,
            CommitteeVote.member_id == member.id))


def test_the_list_groups_by_class_with_the_quota_and_scores_in_two_decimals_out_of_500(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "committee")
    page = browser.get("/committee").text
    assert 'id="class-economic"' in page and "经济类" in page
    assert re.search(r"名额：大奖 <strong>1</strong> 名 · 鼓励奖 <strong>2</strong> 名", page)
    assert "350.00</strong> / 500" in page  # 70 % of 500, two decimals
    assert re.search(r"1 领导</td>\s*<td class=\"num\">\d+\.\d\d / 80", page)  # a subtotal
    assert f"/committee/{world.application_id}" in page  # linked to the case
    shown = re.sub(r"<[^>]+>", " ", page.split("<main>", 1)[1])
    for raw in ("economic", "committee_decision", "grand", "encouragement"):
        assert raw not in shown, raw  # names in words only
    case = browser.get(f"/committee/{world.application_id}").text
    assert case.count('data-item="') == 18 and "条款得分" in case


def test_a_vote_counts_only_once_confirmed_and_may_change_until_the_tally_closes(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "committee")
    url = f"/committee/{world.application_id}/vote"
    # No script ran (no dialog): the server asks on its own page; nothing is counted.
    asked = browser.post(url, data={"csrf_token": csrf, "choice": "grand", "back": "list"})
    assert asked.status_code == 200 and "确认表决" in asked.text and "大奖" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert stored_vote(world) is None
    done = browser.post(url, data={"csrf_token": csrf, "choice": "grand", "back": "list",
                                   "confirmed": "yes"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/committee?notice=voted#case-{world.application_id}"
    assert stored_vote(world) == "grand"
    changed = browser.post(url, data={"csrf_token": csrf, "choice": "none", "back": "case",
                                      "confirmed": "yes"})
    assert changed.headers["location"] == f"/committee/{world.application_id}?notice=changed"
    assert stored_vote(world) == "none"
    assert "您的表决已修改" in browser.get(changed.headers["location"]).text
    # The tally closes with the decision: the page shows it, and no vote is taken any more.
    with world.database.session() as session:
        application = session.get_one(Application, world.application_id)
        session.add(CommitteeDecision(application_id=application.id, outcome="none",
                                      trigger="decline_award", eligible=1, recused=0,
                                      counts={"grand": 0, "encouragement": 0, "none": 1},
                                      decided_by=world.emails["admin"]))
        application.state = ApplicationState.NOT_AWARDED
    page = browser.get(f"/committee/{world.application_id}").text
    assert "评审委员会决定" in page and "不予授奖" in page and "vote-form" not in page
    late = browser.post(url, data={"csrf_token": csrf, "choice": "grand", "confirmed": "yes"})
    assert late.status_code == 409 and stored_vote(world) == "none"


def test_a_blind_committee_reads_no_name_until_its_own_vote(
        browser: TestClient, world: World) -> None:
    with world.database.session() as session:
        application = session.get_one(Application, world.application_id)
        application.cycle.rules_data = application.cycle.rules_data | {"blind_committee": True}
        name = application.title
    csrf = sign_in(browser, world, "committee")
    before = browser.get("/committee").text
    assert name not in before and f"申报 #{world.application_id}（经济类，匿名）" in before
    browser.post(f"/committee/{world.application_id}/vote",
                 data={"csrf_token": csrf, "choice": "grand", "confirmed": "yes"})
    assert name in browser.get("/committee").text


def test_members_not_recused_hear_of_a_referral_once_with_the_page_to_vote_on(
        world: World) -> None:
    assert "notifications.committee_referral" in BY_TRIGGER["refer_to_committee"].tasks
    with world.database.session() as session:
        recused = add_user(session, name="委员二", email="c2@committee.cn",
                           roles=[Role.COMMITTEE_MEMBER])
        session.add(ConflictOfInterest(application_id=world.application_id,
                                       user_id=recused.id, rule="self_declared",
                                       reason="曾任该单位顾问"))
        session.flush()
        assert notify_committee_referral(session, world.application_id) == 1
        assert notify_committee_referral(session, world.application_id) == 0  # once
        notices = session.scalars(select(Notification).where(
            Notification.event == "committee_referral")).all()
        member = get_user(session, world.emails["committee"])
        assert [n.user_id for n in notices] == [member.id]
        assert "提请评审委员会审议" in notices[0].subject and "经济类" in notices[0].subject
        assert f"/committee/{world.application_id}" in notices[0].body
        assert "economic" not in notices[0].body
        score = session.get_one(ConsolidatedScore, world.application_id)
        assert score.total == Decimal("350")


def test_the_case_shows_the_teams_agreed_text_above_the_reviewers_notes(
        browser: TestClient, world: World) -> None:
    """The committee reads what the site-visit team agreed (what the applicant's report
    will say), named by stage and category; a case with none shows no such block."""
    sign_in(browser, world, "committee")
    assert 'data-agreed="' not in browser.get(f"/committee/{world.application_id}").text
    with world.database.session() as session:
        leader = get_user(session, world.emails["reviewer"])
        session.add(ConsensusSheet(
            application_id=world.application_id, stage=ReviewStage.SITE_VISIT,
            percentages=factories.everything(70), total=Decimal("350"), recorded_by=leader.id,
            agreed_feedback={"summary": "质量文化扎实，对标仍需加强。", "categories": {
                "1": {"strengths": "领导层率先垂范。", "opportunities": "缺少标杆比较。"}}}))
    for path in ("/committee", f"/committee/{world.application_id}"):
        page = browser.get(path).text
        agreed = page.split('data-agreed="site_visit"', 1)[1].split("</section>", 1)[0]
        assert "共识反馈意见" in page and "现场评审" in agreed
        assert "质量文化扎实，对标仍需加强。" in agreed
        assert re.search(r"<td>1 领导</td><td>领导层率先垂范。</td><td>缺少标杆比较。</td>", agreed)
