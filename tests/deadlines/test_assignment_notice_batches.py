"""New teams' notices by the batch: the rows of several transitions' ``notify_new_team``
run as one task that tells every reviewer once, as the task per application would."""

from __future__ import annotations

from sqlalchemy import func, select

from mqa_workflow.db import Database
from mqa_workflow.deadlines.tasks import NOTIFY_ASSIGNMENTS
from mqa_workflow.notifications.models import Notification, SentNotice
from mqa_workflow.outbox.registry import execute, execute_batch
from mqa_workflow.worker.collect import collect
from tests.deadlines.test_reminders import _events, _review


def _count(database: Database, what: type) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(what)) or 0


def test_a_batch_tells_each_new_reviewer_once_with_the_deadline(database: Database) -> None:
    collect()
    reviews = [_review(database) for _ in range(3)]
    items = [({"application_id": r.application_id}, f"notify-team:{n}")
             for n, r in enumerate(reviews)]
    with database.session() as session:
        assert execute_batch(session, NOTIFY_ASSIGNMENTS, items) == 3
    for review in reviews:
        assert _events(database, review.reviewer_id) == ["assignment"]
    with database.session() as session:
        bodies = list(session.scalars(select(Notification.body)))
    assert all("2026-09-30 23:59（北京时间）" in body for body in bodies)
    with database.session() as session:  # the same batch again, and one row alone
        assert execute_batch(session, NOTIFY_ASSIGNMENTS, items) == 0
        assert execute(session, NOTIFY_ASSIGNMENTS, items[0][0], "another-key") is True
    assert _count(database, Notification) == 3 and _count(database, SentNotice) == 3
