"""The commands: `mqa deadlines`, `mqa notify`, `mqa inbox`, `mqa queues`, `mqa metrics`."""

from __future__ import annotations

import json
from datetime import date, datetime

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import OFFICE_TZ, set_clock
from mqa_workflow.config import get_settings
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.db import get_database
from mqa_workflow.reviews.models import ReviewAssignment
from tests import factories
from tests.services import free_port


def _overdue_review() -> str:
    """A review due 2026-09-30 (Shenzhen) in the CLI's database; the reviewer's e-mail."""
    with get_database(get_settings().database_url).session() as session:
        factories.user(session, Role.ADMINISTRATOR)
        cycle = factories.cycle(session, deadlines={"document_review": date(2026, 9, 30)})
        application = factories.application(session, award_cycle=cycle, state="document_review")
        reviewer = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                     stage="document_review",
                                     due_at=stage_due_at(cycle, "document_review")))
        return reviewer.email


def _stranger() -> str:
    """Another reviewer, who may not read the first one's inbox."""
    with get_database(get_settings().database_url).session() as session:
        return factories.user(session, Role.REVIEWER).email


def test_every_new_command_explains_itself(mqa) -> None:
    for command in (["deadlines", "list"], ["deadlines", "scan"], ["notify", "preview"],
                    ["notify", "deliver"], ["notify", "failed"], ["notify", "retry"],
                    ["inbox"], ["queues"], ["metrics", "show"], ["metrics", "serve"]):
        assert "Usage:" in mqa(*command, "--help")


def test_notify_preview_renders_an_event_with_sample_data(mqa) -> None:
    english = mqa("notify", "preview", "reminder", "--language", "en")
    assert "Subject: Reminder: review score sheet due in 3 days" in english
    assert "提醒" in mqa("notify", "preview", "reminder")
    assert "<!DOCTYPE html>" in mqa("notify", "preview", "decision", "--html")
    assert "unknown event 'birthday'" in mqa("notify", "preview", "birthday", code=2)


def test_deadlines_scan_then_list_and_inbox_show_the_overdue_review(mqa) -> None:
    mqa("db", "upgrade")
    reviewer = _overdue_review()
    assert "0 open piece(s) of work past" in mqa("deadlines", "list", "--overdue", "--at",
                                                  "2026-09-30T12:00")
    set_clock(lambda: datetime(2026, 10, 1, 9, 0, tzinfo=OFFICE_TZ))
    assert "sent: assignment 1, overdue 1" in mqa("deadlines", "scan")
    assert "sent: nothing" in mqa("deadlines", "scan")
    listed = mqa("deadlines", "list", "--overdue", "--at", "2026-10-01T09:00")
    assert "review" in listed and "overdue 0d 9h" in listed and "1 open piece" in listed

    # the reviewer's own inbox (the web shows nobody anyone else's)
    inbox = mqa("inbox", reviewer, "--as", reviewer)
    assert "2 unread" in inbox and "overdue" in inbox and "assignment" in inbox
    assert "may read only their own inbox" in mqa("inbox", reviewer, "--as", _stranger(),
                                                   code=6)
    shown = mqa("inbox", reviewer, "--show", "2", "--as", reviewer)
    assert "已逾期：评审评分表" in shown
    assert "1 notice(s) marked read" in mqa("inbox", reviewer, "--read-all", "--as", reviewer)
    assert "0 unread" in mqa("inbox", reviewer, "--as", reviewer)
    assert "has no notice 99" in mqa("inbox", reviewer, "--show", "99", "--as", reviewer,
                                     code=2)


def test_queues_and_metrics_show_the_same_figures(mqa) -> None:
    mqa("db", "upgrade")
    _overdue_review()
    queues = mqa("queues")
    assert "broker: none (tasks run in-process)" in queues
    assert "outbox: pending 0" in queues and "overdue work: review 1" in queues
    metrics = mqa("metrics", "show")
    assert 'mqa_overdue_work{kind="review"} 1.0' in metrics
    assert "mqa_broker_up 0.0" in metrics and "mqa_outbox_pending 0.0" in metrics


def test_queues_json_is_machine_readable_and_says_what_needs_an_operator(mqa) -> None:
    mqa("db", "upgrade")
    _overdue_review()
    data = json.loads(mqa("queues", "--json"))
    assert data["tasks_in_process"] is True and data["broker"] is None
    assert data["overdue"]["review"] == 1
    assert data["outbox"] == {"pending": 0, "failing": 0, "lag_seconds": 0.0}
    assert data["email"]["failed"] == 0 and data["healthy"] is True and data["alerts"] == []
    assert "health: ok" in mqa("queues")


def test_queues_watch_refreshes_until_its_iteration_count(mqa) -> None:
    mqa("db", "upgrade")
    watched = mqa("queues", "--watch", "0.01", "--iterations", "3")
    assert watched.count("overdue work: none") == 3
    lines = mqa("queues", "--json", "--watch", "0.01", "--iterations", "2").splitlines()
    assert [json.loads(line)["healthy"] for line in lines] == [True, True]
    assert "Invalid value" in mqa("queues", "--watch", "-1", code=2)


def test_queues_says_so_when_the_broker_is_unreachable(mqa, monkeypatch) -> None:
    mqa("db", "upgrade")
    monkeypatch.setenv("MQA_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    queues = mqa("queues")
    assert "broker: unreachable (ConnectionError" in queues
    assert "health: broker_down (ConnectionError" in queues
    assert json.loads(mqa("queues", "--json"))["alerts"][0]["kind"] == "broker_down"
    assert "mqa_broker_up 0.0" in mqa("metrics", "show")
