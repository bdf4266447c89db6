"""Deadlines: reminders at the cycle's offsets, the overdue notice, the escalation after the
grace period, each sent once however often (and however concurrently) the scan runs.
Time moves with the controllable clock, never with sleeps."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import set_clock
from mqa_workflow.committee.models import CommitteeVote
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.db import Database
from mqa_workflow.deadlines.open_work import open_work
from mqa_workflow.deadlines.service import list_deadlines, scan
from mqa_workflow.notifications.models import Notification, SentNotice
from mqa_workflow.outbox.registry import execute
from mqa_workflow.reviews.models import ConflictOfInterest, ReviewAssignment, SiteVisit
from mqa_workflow.worker.collect import collect
from tests import factories

DEADLINES = {"document_review": date(2026, 9, 30), "site_visit": date(2026, 10, 31),
             "committee_decision": date(2026, 11, 30)}
DUE = datetime.fromisoformat("2026-09-30T15:59:59+00:00")  # 23:59:59 in Shenzhen
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@dataclass
class Review:
    application_id: int
    assignment_id: int
    reviewer_id: int
    admin_id: int


def _review(database: Database, rules: dict[str, Any] | None = None) -> Review:
    with database.session() as session:
        admin = factories.user(session, Role.ADMINISTRATOR)
        cycle = factories.cycle(session, rules=rules, deadlines=DEADLINES)
        application = factories.application(session, award_cycle=cycle, state="document_review")
        reviewer = factories.user(session, Role.REVIEWER)
        assignment = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                      stage="document_review",
                                      due_at=stage_due_at(cycle, "document_review"))
        session.add(assignment)
        session.flush()
        return Review(application.id, assignment.id, reviewer.id, admin.id)


def _scan_at(database: Database, moment: datetime) -> dict[str, int]:
    set_clock(lambda: moment)
    with database.session() as session:
        return scan(session).sent


def _events(database: Database, user_id: int) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(Notification.event).where(
            Notification.user_id == user_id).order_by(Notification.id)))


def test_the_review_deadline_is_the_end_of_the_stage_day_in_shenzhen(database: Database) -> None:
    review = _review(database)
    with database.session() as session:
        assert session.get(ReviewAssignment, review.assignment_id).due_at == DUE


def test_reminders_overdue_and_escalation_each_go_out_once_at_their_moment(
    database: Database,
) -> None:
    review = _review(database)
    timeline = [
        (DUE - 4 * DAY, ["assignment"], []),
        (DUE - 3 * DAY, ["assignment", "reminder"], []),
        (DUE - 3 * DAY + HOUR, ["assignment", "reminder"], []),
        (DUE - DAY, ["assignment", "reminder", "reminder"], []),
        (DUE + HOUR, ["assignment", "reminder", "reminder", "overdue"], []),
        (DUE + 2 * DAY - HOUR, ["assignment", "reminder", "reminder", "overdue"], []),
        (DUE + 2 * DAY, ["assignment", "reminder", "reminder", "overdue"], ["escalation"]),
        (DUE + 5 * DAY, ["assignment", "reminder", "reminder", "overdue"], ["escalation"]),
    ]
    for moment, reviewer_sees, admin_sees in timeline:
        for _ in range(2):  # a second scan at the same moment sends nothing new
            _scan_at(database, moment)
        assert _events(database, review.reviewer_id) == reviewer_sees, moment
        assert _events(database, review.admin_id) == admin_sees, moment


def test_work_first_seen_late_gets_only_the_nearest_reminder(database: Database) -> None:
    review = _review(database)
    assert _scan_at(database, DUE - 12 * HOUR) == {"assignment": 1, "reminder": 1}
    with database.session() as session:
        keys = set(session.scalars(select(SentNotice.key)))
    assert f"reminder:review:{review.assignment_id}:1d@202609301559" in keys
    assert not any(":3d@" in key for key in keys)


def test_the_reminder_offsets_come_from_the_cycles_rules(database: Database) -> None:
    review = _review(database, rules={"reminder_offsets_days": [7, 2]})
    _scan_at(database, DUE - 7 * DAY)
    _scan_at(database, DUE - 3 * DAY)
    assert _events(database, review.reviewer_id) == ["assignment", "reminder"]
    _scan_at(database, DUE - 2 * DAY)
    assert _events(database, review.reviewer_id) == ["assignment", "reminder", "reminder"]


def test_the_grace_period_before_escalation_comes_from_the_cycles_rules(
    database: Database,
) -> None:
    review = _review(database, rules={"escalation_grace_days": 5})
    _scan_at(database, DUE + 4 * DAY)
    assert _events(database, review.admin_id) == []
    _scan_at(database, DUE + 5 * DAY)
    assert _events(database, review.admin_id) == ["escalation"]


def test_an_extended_deadline_earns_fresh_reminders_and_no_overdue_notice(
    database: Database,
) -> None:
    review = _review(database)
    _scan_at(database, DUE - DAY)
    with database.session() as session:
        session.get(ReviewAssignment, review.assignment_id).due_at = DUE + 7 * DAY
    _scan_at(database, DUE + HOUR)
    assert _events(database, review.reviewer_id) == ["assignment", "reminder"]
    _scan_at(database, DUE + 4 * DAY)
    assert _events(database, review.reviewer_id) == ["assignment", "reminder", "reminder"]


def test_finished_work_is_neither_reminded_nor_escalated(database: Database) -> None:
    review = _review(database)
    _scan_at(database, DUE - 3 * DAY)
    with database.session() as session:
        session.get(ReviewAssignment, review.assignment_id).status = "submitted"
    _scan_at(database, DUE + 3 * DAY)
    assert _events(database, review.reviewer_id) == ["assignment", "reminder"]
    assert _events(database, review.admin_id) == []


def test_a_correction_reminder_reaches_every_contact_in_their_own_language(
    database: Database,
) -> None:
    due = DUE + 10 * DAY
    with database.session() as session:
        application = factories.application(session, state="returned_for_correction")
        application.correction_due_at = due
        org = application.organization
        zh = factories.user(session, Role.APPLICANT_CONTACT, organization=org)
        en = factories.user(session, Role.APPLICANT_CONTACT, organization=org)
        en.language = "en"
        ids = zh.id, en.id
    _scan_at(database, due - DAY)
    with database.session() as session:
        subjects = {n.user_id: n.subject for n in session.scalars(select(Notification))}
    assert subjects[ids[0]].startswith("提醒：申报材料补正将于 1 天内到期")
    assert subjects[ids[1]].startswith("Reminder: correction of the application due in 1 day")


def test_consensus_site_visit_report_and_committee_votes_are_found_with_their_deadlines(
    database: Database,
) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, deadlines=DEADLINES)
        visited = factories.application(session, award_cycle=cycle, state="site_visit")
        leader = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=visited.id, reviewer_id=leader.id,
                                     stage="site_visit", is_leader=True, status="submitted",
                                     due_at=stage_due_at(cycle, "site_visit")))
        session.add(SiteVisit(application_id=visited.id, scheduled_on=date(2026, 10, 20)))
        decided = factories.application(session, award_cycle=cycle, state="committee_decision")
        voted, recused, waiting = (factories.user(session, Role.COMMITTEE_MEMBER)
                                   for _ in range(3))
        session.add(CommitteeVote(application_id=decided.id, member_id=voted.id,
                                  choice="grand"))
        session.add(ConflictOfInterest(user_id=recused.id, application_id=decided.id,
                                       rule="declared", reason="曾任顾问"))
        session.flush()
        found = {(w.kind, w.application.id, tuple(u.id for u in w.responsible), w.due_at)
                 for w in open_work(session)}
    site_due = datetime.fromisoformat("2026-10-31T15:59:59+00:00")
    vote_due = datetime.fromisoformat("2026-11-30T15:59:59+00:00")
    assert found == {
        ("consensus", visited.id, (leader.id,), site_due),
        ("site_visit_report", visited.id, (leader.id,), site_due),
        ("committee_vote", decided.id, (waiting.id,), vote_due),
    }


def test_a_reported_site_visit_is_no_longer_due(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, deadlines=DEADLINES)
        visited = factories.application(session, award_cycle=cycle, state="site_visit")
        leader = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=visited.id, reviewer_id=leader.id,
                                     stage="site_visit", is_leader=True, status="submitted"))
        session.add(SiteVisit(application_id=visited.id, scheduled_on=date(2026, 10, 20),
                              report="核实无误", reported_by=leader.id, reported_at=DUE))
        session.flush()
        assert {w.kind for w in open_work(session)} == {"consensus"}


def test_concurrent_scans_send_each_notice_once(database: Database) -> None:
    reviews = [_review(database) for _ in range(5)]
    moment = DUE + 3 * DAY  # overdue and escalated: three notices per review
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with database.session() as session:
                scan(session, moment)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for review in reviews:
        assert sorted(_events(database, review.reviewer_id)) == ["assignment", "overdue"]
    with database.session() as session:
        escalations = session.scalar(select(func.count()).where(
            Notification.event == "escalation"))
        # Every administrator hears of every escalated review once.
        admins = len(reviews)
        assert escalations == len(reviews) * admins


def test_assignment_notices_go_out_once_from_the_task_and_the_scan(database: Database) -> None:
    review = _review(database)
    collect()  # the task is looked up in the registry, as the worker does
    with database.session() as session:
        execute(session, "deadlines.notify_assignments",
                {"application_id": review.application_id}, "assign-1")
    _scan_at(database, DUE - 10 * DAY)
    assert _events(database, review.reviewer_id) == ["assignment"]
    with database.session() as session:
        notice = session.scalars(select(Notification)).one()
    assert "评审任务" in notice.subject and "2026-09-30 23:59（北京时间）" in notice.body


def test_the_deadline_list_shows_overdue_work_and_the_notices_sent(database: Database) -> None:
    review = _review(database)
    _scan_at(database, DUE - DAY)
    with database.session() as session:
        (row,) = list_deadlines(session, DUE - HOUR)
        assert (row.work.ref, row.overdue, row.notices) == (
            f"review:{review.assignment_id}", False, ["reminder 1d"])
        assert list_deadlines(session, DUE - HOUR, overdue_only=True) == []
        assert [r.overdue for r in list_deadlines(session, DUE + HOUR, overdue_only=True)] == [
            True]
