"""The committee's decision: frozen when taken, shown the same everywhere, and a quota
that counts the other applications of the class only (issue 12, point 6)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.clock import set_clock
from mqa_workflow.committee.models import CommitteeDecision
from mqa_workflow.committee.service import (
    cast_vote,
    committee_members,
    decision_of,
    freeze_decision,
    tally,
)
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, TransitionRefusedError
from mqa_workflow.notifications.models import Notification
from mqa_workflow.reports.service import render_feedback
from mqa_workflow.states.engine import advance
from mqa_workflow.web.api.committee import tally_json
from mqa_workflow.web.exports import as_csv
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.services import two_admins_at_once

ONE_GRAND = {"committee_quorum": 1, "award_quotas": {"economic": {"grand": 1,
                                                                  "encouragement": 1}}}


def _voted(session: Session, application: Application, members: list[User],
           choice: str) -> None:
    for member in members:
        cast_vote(session, application, member, choice)


def _committee(session: Session, size: int = 3) -> list[User]:
    return [factories.user(session, Role.COMMITTEE_MEMBER) for _ in range(size)]


def _export(session: Session, cycle_id: int) -> dict[int, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(as_csv(session, cycle_id).decode("utf-8-sig")))
    return {int(row["申报编号"]): row for row in rows}


def test_a_grand_award_winner_reads_grand_everywhere_after_the_award(
        database: Database) -> None:
    """The bug: with a grand quota of 1, the winner's own award used its own place, so
    the tally, the results, the export and the case page recomputed it as lower."""
    with database.session() as session:
        cycle = factories.cycle(session, ONE_GRAND)
        winner = factories.application(session, state="committee_decision", award_cycle=cycle)
        factories.user(session, Role.APPLICANT_CONTACT, organization=winner.organization)
        _voted(session, winner, _committee(session), "grand")
        advance(session, winner.id, "award_grand", factories.user(session))
        cycle_id, winner_id = cycle.id, winner.id
    dispatch_pending(database)
    with database.session() as session:
        winner = session.get(Application, winner_id)
        assert winner is not None and winner.state == "awarded_grand"
        assert tally(session, winner).outcome == "grand"  # its own award is not counted
        shown = decision_of(session, winner)
        assert shown is not None and shown.outcome == "grand" and shown.frozen
        assert shown.notes == []
        assert tally_json(session, winner)["outcome"] == "grand"  # API and case page
        assert _export(session, cycle_id)[winner_id]["决定结果"] == "大奖"
        assert "评审委员会决定：<strong>授予大奖</strong>" in render_feedback(session, winner)
        notice = session.scalar(select(Notification).where(
            Notification.application_id == winner_id, Notification.event == "decision"))
        assert notice is not None and "评审委员会决定：授予大奖" in notice.body


def test_the_quota_counts_the_other_applications_only(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, ONE_GRAND)
        members = _committee(session)
        first = factories.application(session, state="committee_decision", award_cycle=cycle)
        _voted(session, first, members, "grand")
        advance(session, first.id, "award_grand", factories.user(session))
        second = factories.application(session, state="committee_decision", award_cycle=cycle)
        _voted(session, second, members, "grand")
        result = tally(session, second)
        assert result.outcome == "encouragement"
        assert result.notes == ["the grand award quota of the economic class (1) is already used"]
        advance(session, second.id, "award_encouragement", factories.user(session))
        third = factories.application(session, state="committee_decision", award_cycle=cycle)
        _voted(session, third, members, "grand")
        assert tally(session, third).outcome == "none"  # both places are the others'
        # Neither winner's own award is held against it, before or after the third vote.
        assert [decision_of(session, a).outcome for a in (first, second)] == [  # type: ignore[union-attr]
            "grand", "encouragement"]


def test_a_proposed_award_under_notice_does_not_use_its_own_place(
        database: Database) -> None:
    with database.session() as session:
        set_clock(lambda: datetime(2026, 6, 10, 2, tzinfo=UTC))
        cycle = factories.cycle(session, ONE_GRAND | {"optional_stages": ["public_notice"]})
        application = factories.application(session, state="committee_decision",
                                            award_cycle=cycle)
        _voted(session, application, _committee(session), "grand")
        admin = factories.user(session)
        advance(session, application.id, "announce_grand", admin)
        assert application.state == "public_notice"
        assert tally(session, application).outcome == "grand"
        set_clock(lambda: datetime(2026, 6, 18, 2, tzinfo=UTC))
        advance(session, application.id, "confirm_grand", admin)
        shown = decision_of(session, application)
        assert shown is not None and shown.outcome == "grand"
        assert session.get(CommitteeDecision, application.id).trigger == "announce_grand"  # type: ignore[union-attr]


def test_the_decision_is_frozen_when_taken_audited_and_written_once(
        database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, ONE_GRAND)
        application = factories.application(session, state="committee_decision",
                                             award_cycle=cycle)
        members = _committee(session)
        _voted(session, application, members[:2], "grand")
        cast_vote(session, application, members[2], "none")
        admin = factories.user(session)
        advance(session, application.id, "award_grand", admin)
        stored = session.get(CommitteeDecision, application.id)
        assert stored is not None
        assert (stored.outcome, stored.counts, stored.eligible, stored.decided_by) == (
            "grand", {"grand": 2, "encouragement": 0, "none": 1}, 3, admin.email)
        record = session.scalar(select(AuditRecord).where(
            AuditRecord.application_id == application.id,
            AuditRecord.trigger == "award_grand"))
        assert record is not None and record.data["decision"]["outcome"] == "grand"
        assert record.data["decision"]["counts"] == stored.counts
        # Later changes to the rules or the committee never change a decision taken.
        cycle.rules_data = cycle.rules_data | {"award_quotas": {"economic": {"grand": 0}},
                                               "committee_quorum": 1}
        _committee(session, 4)
        session.flush()
        shown = decision_of(session, application)
        assert shown is not None and (shown.outcome, shown.eligible) == ("grand", 3)
        with pytest.raises(ConflictError, match="decided already"):
            freeze_decision(session, application, admin, "award_grand")
        session.commit()
    with database.session() as session, pytest.raises(DBAPIError, match="written once"):
        session.execute(text("UPDATE committee_decisions SET outcome = 'none'"))
    with database.session() as session, pytest.raises(DBAPIError, match="written once"):
        session.execute(text("DELETE FROM committee_decisions"))


def test_a_declined_award_is_frozen_as_none_and_shown_so(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="committee_decision")
        _voted(session, application, _committee(session), "none")
        advance(session, application.id, "decline_award", factories.user(session))
        shown = decision_of(session, application)
        assert shown is not None and shown.frozen and shown.outcome == "none"
        assert _export(session, application.cycle_id)[application.id]["决定结果"] == "不予授奖"


def test_mqa_committee_tally_shows_the_frozen_decision_after_the_award(mqa) -> None:
    """On the command line: before the fix a grand winner's tally read 'encouragement'
    (or 'none') once its own award used the class's only grand place."""
    from mqa_workflow.db import get_database

    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    database = get_database()
    with database.session() as session:
        cycle = factories.cycle(session, ONE_GRAND | {"award_quotas": {
            "economic": {"grand": 1, "encouragement": 0}}})
        application = factories.application(session, state="committee_decision",
                                            award_cycle=cycle)
        _voted(session, application, _committee(session), "grand")
        application_id = application.id
        session.commit()
    mqa("case", "advance", str(application_id), "award_grand")
    shown = mqa("committee", "tally", str(application_id))
    assert "outcome: grand" in shown
    assert "(Beijing time) by admin@office.sz; frozen" in shown
    assert "quota" not in shown
    assert "committee decision: grand 授予大奖 (taken " in mqa("case", "show",
                                                              str(application_id))


VOTES = st.lists(st.sampled_from(["grand", "encouragement", "none"]), min_size=3, max_size=3)
TRIGGER = {"grand": "award_grand", "encouragement": "award_encouragement",
           "none": "decline_award"}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(grand=st.integers(0, 2), encouragement=st.integers(0, 2),
       ballots=st.lists(VOTES, min_size=1, max_size=6))
def test_quotas_hold_and_every_frozen_decision_is_what_its_own_tally_still_gives(
        sqlite_database: Database, grand: int, encouragement: int,
        ballots: list[list[str]]) -> None:
    """Over random classes decided one application after another: no quota is exceeded,
    each award reads as itself, and recounting a decided application (its own award left
    out) gives back exactly the decision frozen for it."""
    with sqlite_database.session() as session:
        cycle = factories.cycle(session, {"committee_quorum": 1, "award_quotas": {
            "economic": {"grand": grand, "encouragement": encouragement}}})
        # The committee is everyone with the role; the examples share one database.
        members, admin = committee_members(session) or _committee(session), factories.user(session)
        decided = []
        for ballot in ballots:
            application = factories.application(session, state="committee_decision",
                                                award_cycle=cycle, complete=False)
            for member, choice in zip(members, ballot, strict=True):
                cast_vote(session, application, member, choice)
            advance(session, application.id, TRIGGER[tally(session, application).outcome or
                                                     "none"], admin)
            decided.append(application)
        states = [a.state for a in decided]
        assert states.count("awarded_grand") <= grand
        assert states.count("awarded_encouragement") <= encouragement
        for application in decided:
            frozen = decision_of(session, application)
            assert frozen is not None and frozen.frozen
            assert application.state == {"grand": "awarded_grand", "none": "not_awarded",
                                         "encouragement": "awarded_encouragement"}[
                                             frozen.outcome or "none"]
            assert tally(session, application).outcome == frozen.outcome


@pytest.mark.postgres
def test_two_admins_deciding_at_once_on_postgresql_one_decision_is_taken(
        pg_database: Database) -> None:
    with pg_database.session() as session:
        application = factories.application(session, state="committee_decision")
        _voted(session, application, _committee(session), "grand")
        app_id = application.id
        emails = [factories.user(session).email for _ in range(2)]
    outcomes = two_admins_at_once(pg_database, app_id, "award_grand", emails)
    # The other one is refused with a conflict (never a database error, never a 500).
    assert len(outcomes) == 2 and outcomes.count("won") == 1
    assert next(o for o in outcomes if o != "won").startswith("conflict: ")
    with pg_database.session() as session:
        assert len(session.scalars(select(CommitteeDecision)).all()) == 1
        assert session.get(Application, app_id).state == "awarded_grand"  # type: ignore[union-attr]


def test_a_member_changes_a_vote_until_the_tally_closes_and_not_after(
        database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, ONE_GRAND)
        application = factories.application(session, state="committee_decision",
                                            award_cycle=cycle)
        members = _committee(session)
        assert cast_vote(session, application, members[0], "grand") is None  # a first vote
        _voted(session, application, members[1:], "none")
        assert tally(session, application).outcome == "none"
        # The member thinks again: the vote is replaced, never counted twice.
        assert cast_vote(session, application, members[1], "grand") == "none"
        changed = tally(session, application)
        assert changed.counts == {"grand": 2, "encouragement": 0, "none": 1}
        assert changed.outcome == "grand"
        advance(session, application.id, "award_grand", factories.user(session))
        # The tally has closed with the decision: no vote changes it now.
        with pytest.raises(TransitionRefusedError, match="until the tally closes"):
            cast_vote(session, application, members[2], "grand")
        stored = session.get(CommitteeDecision, application.id)
        assert stored is not None and stored.counts["grand"] == 2
