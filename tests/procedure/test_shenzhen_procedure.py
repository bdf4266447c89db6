"""The Shenzhen procedure through the engine: eligibility with evidence and overrides,
defence, social evaluation in consolidation, balanced candidate list, blinded committee,
public notice with an upheld objection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import set_clock
from mqa_workflow.committee.service import cast_vote, committee_title
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, InvalidInputError, TransitionRefusedError
from mqa_workflow.procedure import service
from mqa_workflow.procedure.models import CandidateDecision
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment
from mqa_workflow.scoring import candidates
from mqa_workflow.scoring.consolidation import consolidate
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.states.engine import advance
from tests import factories
from tests.factories import everything

SHENZHEN = {"optional_stages": ["defence", "social_evaluation", "public_notice"],
            "score_weights": {"document_review": 0.4, "defence": 0.2, "site_visit": 0.3,
                              "social_evaluation": 0.1},
            "eligibility": {"min_years_registered": 3, "penalty_free_years": 1,
                            "accident_free_years": 3, "award_waiting_years": 3}}
TODAY = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen, a Wednesday


@pytest.fixture(autouse=True)
def _june_2026() -> None:
    set_clock(lambda: TODAY)


def _cycle(session: Session, **extra: object) -> AwardCycle:
    return factories.cycle(session, SHENZHEN | extra)


def test_eligibility_shows_evidence_and_confirming_a_failure_needs_a_reason(
    database: Database,
) -> None:
    with database.session() as session:
        application = factories.application(session, state="eligibility_check",
                                            award_cycle=_cycle(session))
        admin = factories.user(session)
        with pytest.raises(TransitionRefusedError, match="has not been run"):
            advance(session, application.id, "confirm_eligible", admin)
        review = service.run_eligibility_check(session, application, {
            "registered_on": "2024-05-01", "penalties": [], "accidents": [],
            "past_awards": [{"year": 2021, "class_id": "economic"}]})
        assert review.passed is False
        statuses = {r["rule"]: r["status"] for r in review.report["results"]}
        assert statuses == {"min_years_registered": "failed", "penalty_free_years": "passed",
                            "accident_free_years": "passed", "award_waiting_years": "passed"}
        assert "2024-05-01" in review.report["results"][0]["evidence"]
        with pytest.raises(TransitionRefusedError, match="needs a written reason"):
            advance(session, application.id, "confirm_eligible", admin)
        advance(session, application.id, "confirm_eligible", admin,
                reason="经核实，企业由外地迁入深圳前已在本市经营满三年")
        assert application.state == "document_review"


def test_missing_facts_leave_the_check_incomplete(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="eligibility_check",
                                            award_cycle=_cycle(session))
        review = service.run_eligibility_check(session, application,
                                               {"registered_on": "2015-01-01"})
        assert review.passed is None and review.report["outcome"] == "unknown"
        with pytest.raises(InvalidInputError, match="facts are refused"):
            service.run_eligibility_check(session, application, {"registered_on": "soon"})


def _staffed(session: Session, application: Application, stage: str, value: int,
             leader: User) -> None:
    for n in range(3):
        reviewer = leader if n == 0 else factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                     stage=stage, is_leader=n == 0, status="submitted"))
    session.add(ConsensusSheet(application_id=application.id, stage=stage,
                               percentages=everything(value), total=Decimal(value * 5),
                               recorded_by=leader.id))
    session.flush()


def test_the_defence_and_social_evaluation_feed_a_four_stage_consolidation(
    database: Database,
) -> None:
    with database.session() as session:
        cycle = _cycle(session, defence_panel_size=3, reviewers_per_application=3,
                       site_visit_team_size=3)
        application = factories.application(session, state="document_review",
                                            award_cycle=cycle)
        admin, leader = factories.user(session), factories.user(session, Role.REVIEWER)
        _staffed(session, application, "document_review", 60, leader)
        with pytest.raises(TransitionRefusedError, match="this cycle runs the defence stage"):
            advance(session, application.id, "shortlist", admin)
        advance(session, application.id, "shortlist_for_defence", admin)
        service.schedule_defence(session, application, datetime(2026, 7, 1, 1, tzinfo=UTC),
                                 room="A101")
        _staffed(session, application, "defence", 70, leader)
        advance(session, application.id, "pass_defence", admin)
        _staffed(session, application, "site_visit", 80, leader)
        from mqa_workflow.reviews.models import SiteVisit
        session.add(SiteVisit(application_id=application.id, scheduled_on=date(2026, 7, 9),
                              report="现场核实", reported_at=TODAY))
        advance(session, application.id, "begin_social_evaluation", admin)
        service.record_social_evaluation(session, application, admin, satisfaction="90",
                                         respondents=300, method="第三方满意度测评")
        advance(session, application.id, "finish_social_evaluation", admin)
        score = consolidate(session, application.id)
        # 0.4×300 + 0.2×350 + 0.3×400 + 0.1×450 = 355
        assert score.total == Decimal("355")
        assert score.breakdown["items"]["1.1"] == 14.2  # 20 × (.4×.6+.2×.7+.3×.8+.1×.9)


def test_defence_slots_of_a_class_and_room_never_overlap(database: Database) -> None:
    with database.session() as session:
        cycle = _cycle(session)
        first, second = (factories.application(session, state="defence", award_cycle=cycle)
                         for _ in range(2))
        service.schedule_defence(session, first, datetime(2026, 7, 1, 1, tzinfo=UTC),
                                 minutes=30, room="A101")
        with pytest.raises(ConflictError, match="overlaps"):
            service.schedule_defence(session, second,
                                     datetime(2026, 7, 1, 1, 20, tzinfo=UTC), room="A101")
        service.schedule_defence(session, second, datetime(2026, 7, 1, 1, 30, tzinfo=UTC),
                                 room="A101")


def test_the_candidate_list_skips_a_higher_score_to_keep_industry_balance(
    database: Database,
) -> None:
    with database.session() as session:
        cycle = _cycle(session, candidates_per_class=2, selection_cap=1)
        industries = ["电子信息", "电子信息", "生物医药"]
        apps = [factories.application(session, state="consolidated_scoring", award_cycle=cycle,
                                      org=factories.organization(session, industry=industry))
                for industry in industries]
        for app, total in zip(apps, (400, 390, 350), strict=True):
            session.add(ConsolidatedScore(application_id=app.id, total=Decimal(total),
                                          document_review_total=Decimal(total),
                                          site_visit_total=Decimal(total),
                                          breakdown={"results": 100}, weights={}))
        session.flush()
        result = candidates.select_candidates(session, cycle, "economic")
        assert [e.selected for e in result.entries] == [True, False, True]
        skipped = session.get(CandidateDecision, apps[1].id)
        assert skipped is not None and "电子信息" in skipped.reason
        admin = factories.user(session)
        with pytest.raises(TransitionRefusedError, match="candidate list says otherwise"):
            advance(session, apps[1].id, "refer_to_committee", admin)
        advance(session, apps[1].id, "not_selected", admin)
        advance(session, apps[2].id, "refer_to_committee", admin)
        assert (apps[1].state, apps[2].state) == ("not_awarded", "committee_decision")


def test_a_blind_committee_sees_names_only_after_voting(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="committee_decision",
                                            award_cycle=_cycle(session, blind_committee=True))
        member = factories.user(session, Role.COMMITTEE_MEMBER)
        assert application.organization.name not in committee_title(session, member,
                                                                    application)
        cast_vote(session, application, member, "grand")
        assert application.organization.name in committee_title(session, member, application)


def _announced(session: Session) -> tuple[Application, User]:
    application = factories.application(session, state="committee_decision",
                                        award_cycle=_cycle(session))
    for _ in range(3):
        cast_vote(session, application, factories.user(session, Role.COMMITTEE_MEMBER),
                  "grand")
    admin = factories.user(session)
    advance(session, application.id, "announce_grand", admin)
    return application, admin


def test_the_notice_runs_five_working_days_and_then_the_award_is_final(
    database: Database,
) -> None:
    with database.session() as session:
        application, admin = _announced(session)
        notice = service.proposed_award_count(session, application.cycle_id, "economic",
                                              "grand")
        assert notice == 1
        from mqa_workflow.procedure.models import PublicNotice
        published = session.get(PublicNotice, application.id)
        assert published is not None
        assert (published.published_on, published.closes_on) == (date(2026, 6, 10),
                                                                 date(2026, 6, 17))
        with pytest.raises(TransitionRefusedError, match="runs until 2026-06-17"):
            advance(session, application.id, "confirm_grand", admin)
        objection = service.file_objection(session, application, filed_by="市民",
                                           grounds="获奖材料数据有误", evidence=["年报截图"])
        service.resolve_objection(session, objection, admin, uphold=False,
                                  reason="经核查，数据口径一致，异议不成立")
        after = datetime(2026, 6, 18, 2, tzinfo=UTC)
        set_clock(lambda: after)
        advance(session, application.id, "confirm_grand", admin)
        assert application.state == "awarded_grand"


def test_an_upheld_objection_removes_the_candidate_with_the_reason(
    database: Database,
) -> None:
    with database.session() as session:
        application, admin = _announced(session)
        with pytest.raises(InvalidInputError, match="needs evidence"):
            service.file_objection(session, application, filed_by="市民", grounds="x",
                                   evidence=[])
        objection = service.file_objection(session, application, filed_by="竞争对手",
                                           grounds="存在未披露的重大质量事故",
                                           evidence=["2025年监管通报"])
        with pytest.raises(TransitionRefusedError, match="no objection against this application"):
            advance(session, application.id, "remove_after_objection", admin, reason="x")
        service.resolve_objection(session, objection, admin, uphold=True,
                                  reason="经调查，2025年发生重大质量事故属实")
        with pytest.raises(TransitionRefusedError, match="open or upheld"):
            advance(session, application.id, "confirm_grand", admin)
        advance(session, application.id, "remove_after_objection", admin,
                reason="异议成立：2025年发生重大质量事故")
        assert application.state == "not_awarded"
        late = datetime(2026, 6, 25, 2, tzinfo=UTC)
        set_clock(lambda: late)
        with pytest.raises(ConflictError, match="not under public notice"):
            service.file_objection(session, application, filed_by="x", grounds="y",
                                   evidence=["z"])


def test_the_fairness_report_shows_calibrated_totals_beside_the_consensus(
    database: Database,
) -> None:
    from mqa_workflow.reviews.models import ScoreSheet
    from mqa_workflow.scoring.fairness import fairness_report

    with database.session() as session:
        cycle = _cycle(session)
        reviewers = [factories.user(session, Role.REVIEWER) for _ in range(3)]
        apps = [factories.application(session, state="document_review", award_cycle=cycle)
                for _ in range(4)]
        for n, app in enumerate(apps):
            for bias, reviewer in zip((-10, 0, 10), reviewers, strict=True):
                assignment = ReviewAssignment(application_id=app.id, reviewer_id=reviewer.id,
                                              stage="document_review", status="submitted")
                session.add(assignment)
                session.flush()
                session.add(ScoreSheet(assignment_id=assignment.id, status="submitted",
                                       percentages=everything(50 + 5 * n + bias)))
            session.add(ConsensusSheet(application_id=app.id, stage="document_review",
                                       percentages=everything(50 + 5 * n),
                                       total=Decimal(250 + 25 * n), recorded_by=admin_id(
                                           session)))
        session.flush()
        report = fairness_report(session, cycle.id, "economic", "document_review")
        rows = {row.application_id: row for row in report.applications}
        assert [rows[a.id].consensus for a in apps] == [250, 275, 300, 325]
        assert [rows[a.id].calibration.raw_mean for a in apps] == pytest.approx(
            [250, 275, 300, 325])
        # Every reviewer saw every application: calibration changes no total, and each
        # reviewer's 10-percentage-point leniency shows as 50 points of the 500.
        assert [rows[a.id].calibration.calibrated for a in apps] == pytest.approx(
            [250, 275, 300, 325], abs=0.01)
        leniency = [report.calibration.reviewers[str(r.id)].leniency for r in reviewers]
        assert leniency == pytest.approx([-50, 0, 50], abs=0.01)
        assert report.reorders == []
        assert set(report.agreement) == set(everything(0))


def admin_id(session: Session) -> int:
    return factories.user(session).id


def test_mqa_fairness_simulate_prints_tau_for_raw_and_calibrated() -> None:
    from typer.testing import CliRunner

    from mqa_workflow.cli import app

    result = CliRunner().invoke(app, ["fairness", "simulate", "--seeds", "3"])
    assert result.exit_code == 0, result.output
    assert "τ raw means" in result.output and "τ calibrated" in result.output
