"""A stage deadline missing on a cycle never drops an assignment notice: the notice goes
out without it, and reminders begin once the office sets it (issue 12, point 10)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import set_clock
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.db import Database
from mqa_workflow.deadlines.service import scan
from mqa_workflow.notifications.models import Notification
from mqa_workflow.reviews.assignment_service import set_deadline
from mqa_workflow.reviews.models import ReviewAssignment
from tests import factories


def _assigned(database: Database, language: str = "zh",
              deadlines: dict[str, date] | None = None) -> tuple[int, int, int]:
    with database.session() as session:
        cycle = factories.cycle(session, deadlines=deadlines)
        application = factories.application(session, award_cycle=cycle,
                                            state="document_review")
        reviewer = factories.user(session, Role.REVIEWER)
        reviewer.language = language
        assignment = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                      stage="document_review",
                                      due_at=stage_due_at(cycle, "document_review"))
        session.add(assignment)
        session.commit()
        return cycle.id, assignment.id, reviewer.id


def _notices(database: Database, user_id: int) -> list[Notification]:
    with database.session() as session:
        found = list(session.scalars(select(Notification).where(
            Notification.user_id == user_id).order_by(Notification.id)))
        session.expunge_all()
        return found


@pytest.mark.parametrize(("language", "words"), [
    ("zh", "本阶段截止时间尚未确定"), ("en", "has not set this stage's deadline yet")])
def test_an_assignment_without_a_stage_deadline_is_still_told_without_one(
        database: Database, language: str, words: str) -> None:
    set_clock(lambda: datetime(2026, 9, 1, 2, tzinfo=UTC))
    _, _, reviewer_id = _assigned(database, language)
    with database.session() as session:
        assert scan(session).sent.get("assignment") == 1
        session.commit()
    notices = _notices(database, reviewer_id)
    assert [n.event for n in notices] == ["assignment"]
    assert words in notices[0].body


def test_setting_the_deadline_later_brings_reminders_and_no_second_assignment_notice(
        database: Database) -> None:
    set_clock(lambda: datetime(2026, 9, 1, 2, tzinfo=UTC))
    cycle_id, assignment_id, reviewer_id = _assigned(database)
    with database.session() as session:
        scan(session)
        session.commit()
    with database.session() as session:
        from mqa_workflow.cycles.models import AwardCycle

        cycle = session.get(AwardCycle, cycle_id)
        assert cycle is not None
        assert set_deadline(session, cycle, "document_review", date(2026, 9, 3)) == 1
        assert session.get(ReviewAssignment, assignment_id).due_at is not None  # type: ignore[union-attr]
        session.commit()
    set_clock(lambda: datetime(2026, 9, 2, 2, tzinfo=UTC))  # within three days of it
    with database.session() as session:
        sent = scan(session).sent
        session.commit()
    assert "assignment" not in sent and sent.get("reminder") == 1
    assert [n.event for n in _notices(database, reviewer_id)] == ["assignment", "reminder"]


def test_an_assignment_with_its_deadline_is_told_the_deadline(database: Database) -> None:
    set_clock(lambda: datetime(2026, 9, 1, 2, tzinfo=UTC))
    _, _, reviewer_id = _assigned(database, deadlines={"document_review": date(2026, 9, 30)})
    with database.session() as session:
        scan(session)
        session.commit()
    (notice,) = _notices(database, reviewer_id)
    assert "请于 2026-09-30 23:59（北京时间）前提交评分表" in notice.body
