"""Score sheets and consensus sheets for many applications at once keep the rules of one at
a time: the same rows, the same refusals, nothing stored when one is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.assignment_service import assign_stage
from mqa_workflow.reviews.bulk_scoring import (
    Consensus,
    Submission,
    record_consensuses,
    spreads_of_many,
    submit_sheets,
)
from mqa_workflow.reviews.consensus import record_consensus, spreads
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage, ScoreSheet
from mqa_workflow.reviews.sheets import save_sheet
from tests import factories
from tests.factories import everything, pool, team

DOC = ReviewStage.DOCUMENT_REVIEW
RULES = {"reviewers_per_application": 3, "consensus_threshold": 20}
NOTE = {"1.1": {"strengths": "理念清晰", "opportunities": ""}}


def _with_team(session: Session) -> Application:
    application = factories.application(session, state="document_review",
                                        award_cycle=factories.cycle(session, RULES))
    pool(session, 3)
    assign_stage(session, [application.id], DOC)
    return application


def _sheets(session: Session, application: Application) -> list[tuple[object, ...]]:
    return [(s.percentages, s.comments, s.status, s.version) for s in session.scalars(
        select(ScoreSheet).where(ScoreSheet.assignment_id.in_(
            [a.id for a in team(session, application.id)])).order_by(ScoreSheet.id))]


def test_sheets_submitted_together_are_stored_as_one_at_a_time(database: Database) -> None:
    with database.session() as session:
        alone, together = _with_team(session), _with_team(session)
        for assignment, value in zip(team(session, alone.id), [40, 50, 70], strict=True):
            save_sheet(session, assignment, everything(value), NOTE, submit=True)
        submit_sheets(session, [Submission(assignment, everything(value), NOTE) for
                                assignment, value in zip(team(session, together.id),
                                                         [40, 50, 70], strict=True)])
        assert _sheets(session, together) == _sheets(session, alone)
        assert {a.status for a in team(session, together.id)} == {"submitted"}
        assert spreads_of_many(session, [alone, together], DOC) == {
            alone.id: spreads(session, alone, DOC), together.id: spreads(session, together, DOC)}


def test_one_refused_sheet_refuses_the_whole_submission(database: Database) -> None:
    with database.session() as session:
        application = _with_team(session)
        first, *others = team(session, application.id)
        good = [Submission(a, everything(50), {}) for a in others]
        with pytest.raises(InvalidInputError, match="the score sheet is refused"):
            submit_sheets(session, [*good, Submission(first, {"1.1": 50}, {})])  # incomplete
        assert session.scalar(select(func.count()).select_from(ScoreSheet)) == 0
        save_sheet(session, first, {"1.1": 50})  # a draft: saved one at a time over it
        with pytest.raises(ConflictError, match="already have a score sheet"):
            submit_sheets(session, [*good, Submission(first, everything(50), {})])
        assert session.scalar(select(func.count()).select_from(ScoreSheet)) == 1


def test_consensus_recorded_together_equals_one_at_a_time(database: Database) -> None:
    with database.session() as session:
        alone, together = _with_team(session), _with_team(session)
        for application in (alone, together):
            submit_sheets(session, [Submission(a, everything(v), {}) for a, v in zip(
                team(session, application.id), [40, 50, 70], strict=True)])
        decisions = {code: (50, "以中位数为准") for code in everything(0)}  # all flagged
        leader = {a.id: next(m.reviewer for m in team(session, a.id) if m.is_leader)
                  for a in (alone, together)}
        expected = record_consensus(session, alone, DOC, leader[alone.id], decisions)
        found = spreads_of_many(session, [together], DOC)
        with pytest.raises(InvalidInputError, match="cannot record the consensus"):
            record_consensuses(session, DOC, [Consensus(together, leader[together.id], {})],
                               found)
        agreed = record_consensuses(
            session, DOC, [Consensus(together, leader[together.id], decisions)], found)
        recorded = session.scalars(select(ConsensusSheet).where(
            ConsensusSheet.application_id == together.id)).one()
        assert agreed == {together.id: expected.percentages}
        assert (recorded.percentages, recorded.flagged, recorded.total) == (
            expected.percentages, expected.flagged, expected.total)


def test_only_the_teams_leader_records_and_only_after_scoring(database: Database) -> None:
    with database.session() as session:
        application = _with_team(session)
        members = team(session, application.id)
        leader = next(m for m in members if m.is_leader)
        other = next(m for m in members if not m.is_leader)
        found = spreads_of_many(session, [application], DOC)
        with pytest.raises(ConflictError, match="must submit their own"):
            record_consensuses(session, DOC, [Consensus(application, leader.reviewer, {})],
                               found)
        with pytest.raises(ConflictError, match="does not lead"):
            record_consensuses(session, DOC, [Consensus(application, other.reviewer, {})],
                               found)
