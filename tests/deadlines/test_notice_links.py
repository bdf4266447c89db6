"""Every notice about open work links straight to the page where the work is done: the
reviewer's score sheet, the leader's consensus and site-visit pages, the committee's page,
the applicant's application; an escalation links the administrators to the case."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import set_clock
from mqa_workflow.config import get_settings
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.db import Database
from mqa_workflow.deadlines.links import escalation_path, work_path
from mqa_workflow.deadlines.open_work import open_work
from mqa_workflow.notifications.models import Notification
from mqa_workflow.reviews.models import ReviewAssignment, SiteVisit
from tests import factories
from tests.deadlines.test_reminders import DAY, DEADLINES, DUE, _review, _scan_at


def _html(database: Database, user_id: int, event: str) -> str:
    with database.session() as session:
        return session.scalars(select(Notification.html).where(
            Notification.user_id == user_id, Notification.event == event)).one()


def test_reminder_overdue_and_escalation_notices_link_to_where_the_work_is_done(
        database: Database) -> None:
    review = _review(database)  # the reminder tests' staffed application, due DUE
    site = get_settings().public_url.rstrip("/")
    try:
        for moment in (DUE - 3 * DAY, DUE + DAY, DUE + 3 * DAY):
            _scan_at(database, moment)
    finally:
        set_clock(None)
    admin_id, reviewer_id = review.admin_id, review.reviewer_id
    application_id, assignment_id = review.application_id, review.assignment_id
    sheet = f'href="{site}/assignments/{assignment_id}"'
    assert sheet in _html(database, reviewer_id, "reminder")
    assert sheet in _html(database, reviewer_id, "overdue")
    assert f'href="{site}/admin/cases/{application_id}"' in _html(database, admin_id,
                                                                   "escalation")


def test_each_kind_of_work_has_its_page(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, deadlines=DEADLINES)
        visited = factories.application(session, award_cycle=cycle, state="site_visit")
        leader = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=visited.id, reviewer_id=leader.id,
                                     stage="site_visit", is_leader=True,
                                     due_at=stage_due_at(cycle, "site_visit")))
        session.add(SiteVisit(application_id=visited.id, scheduled_on=date(2026, 10, 20)))
        decided = factories.application(session, award_cycle=cycle, state="committee_decision")
        factories.user(session, Role.COMMITTEE_MEMBER)
        session.flush()
        pages = {(work.kind, work_path(work)) for work in open_work(session)}
        review = session.scalar(select(ReviewAssignment.id).where(
            ReviewAssignment.application_id == visited.id))
        escalated = {escalation_path(work) for work in open_work(session)}
    assert pages == {
        ("review", f"/assignments/{review}"),
        ("consensus", f"/applications/{visited.id}/consensus/site_visit"),
        ("site_visit_report", f"/applications/{visited.id}/site-visit"),
        ("committee_vote", f"/committee/{decided.id}"),
    }
    assert escalated == {f"/admin/cases/{visited.id}", f"/admin/cases/{decided.id}"}
