"""Reviewer pool, conflicts, assignment, score sheets, consensus and consolidation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.assignment_service import assign_stage, decline
from mqa_workflow.reviews.conflict_checks import check_conflicts
from mqa_workflow.reviews.consensus import record_consensus, spreads
from mqa_workflow.reviews.models import (
    ConflictOfInterest,
    ConflictProfile,
    ConsensusSheet,
    ReviewAssignment,
    ReviewStage,
)
from mqa_workflow.reviews.sheets import save_sheet
from mqa_workflow.scoring.consolidation import consolidate
from tests import factories
from tests.factories import everything, pool, team

DOC = ReviewStage.DOCUMENT_REVIEW
RULES = {"reviewers_per_application": 3, "consensus_threshold": 20}


def _in_document_review(session: Session) -> Application:
    """An application of its own cycle (three reviewers each), waiting for its team."""
    return factories.application(session, state="document_review",
                                 award_cycle=factories.cycle(session, RULES))


def test_a_conflicted_reviewer_is_recorded_with_its_reason_and_never_assigned(
    database: Database,
) -> None:
    with database.session() as session:
        application = _in_document_review(session)
        org = application.organization
        reviewers = pool(session, 5, employments={0: [
            {"uscc": org.uscc, "name": org.name, "start": "2018-01-01", "end": "2025-06-30"}]})
        check_conflicts(session, [application.id])
        result = assign_stage(session, [application.id], DOC)
        conflict = session.scalars(select(ConflictOfInterest)).one()
        assert (conflict.user_id, conflict.rule) == (reviewers[0].id, "employment")
        assert org.name in conflict.reason
        members = {a.reviewer_id for a in team(session, application.id)}
        assert len(members) == 3 and reviewers[0].id not in members
        assert sum(a.is_leader for a in team(session, application.id)) == 1
        assert result.uncovered == ()


def test_a_conflict_found_after_assignment_withdraws_and_replaces(database: Database) -> None:
    with database.session() as session:
        application = _in_document_review(session)
        reviewers = pool(session, 6)
        assign_stage(session, [application.id], DOC)
        member = next(a for a in team(session, application.id) if not a.is_leader)
        entry = session.get(ConflictProfile, member.reviewer_id)
        org = application.organization
        entry.employments = [{"uscc": org.uscc, "name": org.name, "start": "2020-01-01",
                              "end": None}]
        assert check_conflicts(session, [application.id]) == [application.id]
        assert member.status == "withdrawn"
        assign_stage(session, [application.id], DOC)
        now_members = {a.reviewer_id for a in team(session, application.id)}
        assert len(now_members) == 3 and member.reviewer_id not in now_members
        assert len(reviewers) == 6


def test_a_declined_assignment_gets_a_replacement_and_keeps_the_leader(
    database: Database,
) -> None:
    with database.session() as session:
        application = _in_document_review(session)
        pool(session, 5)
        assign_stage(session, [application.id], DOC)
        leader = next(a for a in team(session, application.id) if a.is_leader)
        member = next(a for a in team(session, application.id) if not a.is_leader)
        decline(session, member, "出差无法参加")
        members = team(session, application.id)
        assert len(members) == 3 and member.reviewer_id not in {a.reviewer_id for a in members}
        assert [a.reviewer_id for a in members if a.is_leader] == [leader.reviewer_id]
        with pytest.raises(ConflictError):
            decline(session, member, "again")


def test_too_few_qualified_reviewers_leaves_the_application_uncovered_with_why(
    database: Database,
) -> None:
    with database.session() as session:
        application = _in_document_review(session)
        pool(session, 5, classes=("cultural",))
        result = assign_stage(session, [application.id], DOC)
        assert team(session, application.id) == []
        assert [u.application_id for u in result.uncovered] == [application.id]
        assert "economic" in result.uncovered[0].reason


def _reviewed(session: Session, values: list[int]) -> Application:
    application = _in_document_review(session)
    pool(session, 3)
    assign_stage(session, [application.id], DOC)
    for assignment, value in zip(team(session, application.id), values, strict=True):
        sheet = everything(value)
        save_sheet(session, assignment, {"1.1": sheet.pop("1.1")})  # a draft first
        save_sheet(session, assignment, sheet, {"1.1": {"strengths": "理念清晰"}}, submit=True)
    return application


def test_submitted_sheets_are_locked_and_bad_values_refused(database: Database) -> None:
    with database.session() as session:
        application = _reviewed(session, [50, 55, 60])
        assignment = team(session, application.id)[0]
        with pytest.raises(ConflictError, match="submitted and locked"):
            save_sheet(session, assignment, {"1.1": 70})
    with database.session() as session:
        other = _in_document_review(session)
        pool(session, 3)
        assign_stage(session, [other.id], DOC)
        fresh = team(session, other.id)[0]
        with pytest.raises(InvalidInputError) as refused:
            save_sheet(session, fresh, {"1.1": 52, "9.9": 10})
        assert any("52 is not an allowed value" in p for p in refused.value.problems)
        assert any(p.startswith("9.9: unknown item code") for p in refused.value.problems)
        with pytest.raises(InvalidInputError, match="the score sheet is refused"):
            save_sheet(session, fresh, {"1.1": 50}, submit=True)  # incomplete


def test_consensus_flags_wide_spreads_and_needs_the_leaders_decision(
    database: Database,
) -> None:
    with database.session() as session:
        application = _reviewed(session, [40, 50, 70])  # spread 30 > threshold 20
        flagged = {code for code, (_, _, is_flagged) in
                   spreads(session, application, DOC).items() if is_flagged}
        assert flagged == set(everything(0))
        leader = next(a.reviewer for a in team(session, application.id) if a.is_leader)
        with pytest.raises(InvalidInputError) as refused:
            record_consensus(session, application, DOC, leader, {})
        assert "item 1.1: spread 30 exceeds the threshold" in refused.value.problems[0]
        decisions = {code: (50, "以中位数为准") for code in flagged}
        sheet = record_consensus(session, application, DOC, leader, decisions)
        assert sheet.total == 250 and sheet.flagged["1.1"]["values"] == [40, 50, 70]


def test_unflagged_items_take_the_median_and_only_the_leader_records(
    database: Database,
) -> None:
    with database.session() as session:
        application = _reviewed(session, [50, 55, 65])
        not_leader = next(a.reviewer for a in team(session, application.id) if not a.is_leader)
        with pytest.raises(ConflictError, match="does not lead"):
            record_consensus(session, application, DOC, not_leader, {})
        leader = next(a.reviewer for a in team(session, application.id) if a.is_leader)
        sheet = record_consensus(session, application, DOC, leader, {})
        assert set(sheet.percentages.values()) == {55} and sheet.total == Decimal("275")


def test_consolidation_weights_the_stages_against_the_500_point_standard(
    database: Database,
) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, RULES | {
            "score_weights": {"document_review": 0.4, "site_visit": 0.6}})
        first = factories.application(session, state="consolidated_scoring", award_cycle=cycle)
        second = factories.application(session, state="consolidated_scoring", award_cycle=cycle)
        leader = factories.user(session)
        for application, doc, site in ((first, 50, 60), (second, 60, 50)):
            for stage, value in (("document_review", doc), ("site_visit", site)):
                session.add(ConsensusSheet(application_id=application.id, stage=stage,
                                           percentages=everything(value), total=Decimal(0),
                                           recorded_by=leader.id))
        session.flush()
        score = consolidate(session, first.id)
        # 0.4 × 250 + 0.6 × 300 = 280; item 1.1 (20 points): 0.4 × 10 + 0.6 × 12 = 11.2
        assert score.total == Decimal("280")
        assert score.breakdown["items"]["1.1"] == 11.2
        assert score.breakdown["categories"]["1"] == 44.8  # 80 points: 0.4×40 + 0.6×48
        other = consolidate(session, second.id)  # 0.4 × 300 + 0.6 × 250 = 270
        assert (score.rank, other.rank, other.total) == (1, 2, Decimal("270"))


def test_shortlisting_takes_the_top_of_the_class_and_the_rest_keep_their_feedback(
    database: Database,
) -> None:
    from mqa_workflow.states.shortlisting import shortlist_class

    with database.session() as session:
        cycle = factories.cycle(session, RULES | {"site_visits_per_class": 2})
        leader = factories.user(session)
        apps = [factories.application(session, state="document_review", award_cycle=cycle)
                for _ in range(4)]
        reviewers = pool(session, 3)
        for app, value in zip(apps, (55, 70, 40, 60), strict=True):
            for reviewer in reviewers:  # every review is in
                session.add(ReviewAssignment(application_id=app.id, reviewer_id=reviewer.id,
                                             stage="document_review", status="submitted"))
            session.add(ConsensusSheet(application_id=app.id, stage="document_review",
                                       percentages=everything(value), total=Decimal(0),
                                       recorded_by=leader.id))
        session.flush()
        entries = shortlist_class(session, cycle, "economic", leader)
        assert [(e.application_id, e.total, e.shortlisted) for e in entries] == [
            (apps[1].id, 350, True), (apps[3].id, 300, True),
            (apps[0].id, 275, False), (apps[2].id, 200, False)]
        assert [a.state for a in apps] == ["not_shortlisted", "site_visit",
                                           "not_shortlisted", "site_visit"]


def test_equal_totals_rank_by_results_then_site_visit_then_application(
    database: Database,
) -> None:
    from mqa_workflow.scoring.consolidation import rank_class
    from mqa_workflow.scoring.models import ConsolidatedScore

    with database.session() as session:
        cycle = factories.cycle(session)
        apps = [factories.application(session, state="committee_decision", award_cycle=cycle)
                for _ in range(4)]
        figures = [(300, 140, 290), (300, 150, 280), (300, 140, 300), (300, 140, 300)]
        for app, (total, results, site) in zip(apps, figures, strict=True):
            session.add(ConsolidatedScore(
                application_id=app.id, total=Decimal(total), document_review_total=Decimal(0),
                site_visit_total=Decimal(site), breakdown={"results": results}, weights={}))
        session.flush()
        ranked = [s.application_id for s in rank_class(session, cycle.id, "economic")]
        assert ranked == [apps[1].id, apps[2].id, apps[3].id, apps[0].id]
