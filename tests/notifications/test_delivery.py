"""Both channels: the in-app inbox and e-mail through a real local SMTP server (aiosmtpd).
A mail server that is down costs retries with back-off, never the notice; one that stays
down ends the e-mail `failed`, where operators see it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.clock import set_clock
from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import Database
from mqa_workflow.monitoring.figures import email_figures
from mqa_workflow.notifications.delivery import deliver_due, retry_failed
from mqa_workflow.notifications.inbox import inbox, mark_read, read_notice, unread_count
from mqa_workflow.notifications.models import Channel, Delivery, Notification
from mqa_workflow.notifications.samples import SAMPLES
from mqa_workflow.notifications.service import notify, notify_many, notify_state_change
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.smtp import SmtpServer, body_html, body_text

T0 = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
IN_PROCESS = Settings(broker_url="")


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on a free port, and the settings that send the engine's mail there
    (not started: each test starts it when the mail server should be up)."""
    server = SmtpServer()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield server
    server.stop()
    get_settings.cache_clear()


def _person(database: Database, language: str = "zh", name: str = "张三") -> int:
    with database.session() as session:
        user = factories.user(session, Role.REVIEWER)
        user.name, user.language = name, language
        return user.id


def _notify(database: Database, user_id: int, event: str = "reminder",
            **context: object) -> int:
    with database.session() as session:
        user = session.get(User, user_id)
        return notify(session, user, event, SAMPLES[event] | context).id


def _delivery(database: Database, notification_id: int, channel: Channel) -> Delivery:
    with database.session() as session:
        return session.scalars(select(Delivery).where(
            Delivery.notification_id == notification_id, Delivery.channel == channel)).one()


def test_a_notice_lands_in_the_inbox_and_arrives_by_email_in_english(
    database: Database, smtp: SmtpServer
) -> None:
    smtp.start()
    user_id = _person(database, "en", name="Jane Doe")
    notification_id = _notify(database, user_id)
    dispatch_pending(database, IN_PROCESS)  # the outbox hands the e-mail to its task

    (message,) = smtp.messages
    with database.session() as session:
        user = session.get(User, user_id)
        assert message["To"] == user.email and message["From"] == "award@office.sz"
    assert message["Subject"] == "Reminder: review score sheet due in 3 days — 深圳某科技有限公司"
    assert message["Content-Language"] == "en"
    email_delivery = _delivery(database, notification_id, Channel.EMAIL)
    assert message["Message-ID"].startswith(f"<mqa-delivery-{email_delivery.id}@")
    assert "Dear Jane Doe," in body_text(message)
    assert "<p>Dear Jane Doe,</p>" in body_html(message)
    assert (email_delivery.status, email_delivery.attempts) == ("sent", 1)
    assert _delivery(database, notification_id, Channel.INBOX).status == "sent"


def test_a_notice_is_in_chinese_by_default(database: Database, smtp: SmtpServer) -> None:
    smtp.start()
    _notify(database, _person(database))
    dispatch_pending(database, IN_PROCESS)
    (message,) = smtp.messages
    assert message["Subject"] == "提醒：评审评分表将于 3 天内到期 —— 深圳某科技有限公司"
    assert message["Content-Language"] == "zh-CN"
    assert "张三，您好：" in body_text(message)
    assert "2026-09-30 23:59（北京时间）" in body_text(message)


def test_without_an_smtp_server_configured_notices_go_to_the_inbox_only(
    database: Database,
) -> None:
    notification_id = _notify(database, _person(database))
    with database.session() as session:
        channels = session.scalars(select(Delivery.channel).where(
            Delivery.notification_id == notification_id)).all()
    assert channels == ["inbox"]


def test_a_mail_server_that_is_down_is_retried_with_back_off_until_it_answers(
    database: Database, smtp: SmtpServer
) -> None:
    set_clock(lambda: T0)
    notification_id = _notify(database, _person(database))
    run = deliver_due(database)
    delivery = _delivery(database, notification_id, Channel.EMAIL)
    assert (run.retrying, delivery.status, delivery.attempts) == (1, "pending", 1)
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)

    set_clock(lambda: T0 + timedelta(seconds=30))  # not yet due again: nothing is tried
    assert deliver_due(database).retrying == 0
    set_clock(lambda: T0 + timedelta(minutes=1))
    deliver_due(database)
    delivery = _delivery(database, notification_id, Channel.EMAIL)
    assert (delivery.attempts, delivery.next_attempt_at) == (2, T0 + timedelta(minutes=3))

    smtp.start()
    set_clock(lambda: T0 + timedelta(minutes=3))
    assert deliver_due(database).sent == 1
    assert len(smtp.messages) == 1
    assert _delivery(database, notification_id, Channel.EMAIL).status == "sent"


def test_an_email_that_keeps_failing_ends_failed_for_operators_and_can_be_retried(
    database: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQA_EMAIL_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    set_clock(lambda: T0)
    notification_id = _notify(database, _person(database))
    deliver_due(database)
    set_clock(lambda: T0 + timedelta(hours=1))
    assert deliver_due(database).failed == 1
    with database.session() as session:
        figures = email_figures(session)
    assert (figures.failed, figures.pending) == (1, 0)
    set_clock(lambda: T0 + timedelta(days=1))
    assert deliver_due(database).sent == 0  # given up: only an operator sends it again

    smtp.start()
    with database.session() as session:
        assert retry_failed(session) == 1
    assert deliver_due(database).sent == 1
    assert _delivery(database, notification_id, Channel.EMAIL).status == "sent"
    assert len(smtp.messages) == 1


def test_concurrent_senders_send_each_email_once(database: Database, smtp: SmtpServer) -> None:
    smtp.start()
    user_id = _person(database)
    for _ in range(12):
        _notify(database, user_id)
    threads = [threading.Thread(target=deliver_due, args=(database,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ids = [message["Message-ID"] for message in smtp.messages]
    assert len(ids) == 12 and len(set(ids)) == 12


def test_the_inbox_keeps_read_and_unread_notices(database: Database) -> None:
    user_id = _person(database)
    first, second, third = (_notify(database, user_id) for _ in range(3))
    with database.session() as session:
        user = session.get(User, user_id)
        assert unread_count(session, user) == 3
        assert read_notice(session, user, first).read_at is not None
        assert mark_read(session, user, [second]) == 1
        assert [n.id for n in inbox(session, user, unread_only=True)] == [third]
        assert [n.id for n in inbox(session, user)] == [third, second, first]
        assert mark_read(session, user) == 1
        assert unread_count(session, user) == 0


def test_a_decision_is_told_with_the_decision_template(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="awarded_grand")
        contact = factories.user(session, Role.APPLICANT_CONTACT,
                                 organization=application.organization)
        contact.language = "en"
        notify_state_change(session, application.id, "award_grand", "committee_decision",
                            "awarded_grand")
        notice = session.scalars(select(Notification)).one()
    assert notice.event == "decision"
    assert notice.subject.endswith(": decision — awarded grand")


def test_notices_to_several_people_are_stored_together_each_in_their_own_language(
    database: Database, smtp: SmtpServer
) -> None:
    smtp.start()
    people = [_person(database, "zh", "张三"), _person(database, "en", "Jane Doe"),
              _person(database, "zh", "李四")]
    with database.session() as session:
        users = [session.get_one(User, user_id) for user_id in people]
        ids = notify_many(session, users, "reminder", SAMPLES["reminder"])
    dispatch_pending(database, IN_PROCESS)
    with database.session() as session:
        notices = [session.get_one(Notification, notice_id) for notice_id in ids]
        assert [n.user_id for n in notices] == people
        assert [n.language for n in notices] == ["zh", "en", "zh"]
        assert "张三，您好：" in notices[0].body and "Dear Jane Doe," in notices[1].body
        assert "李四，您好：" in notices[2].body
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        u.email for u in users)
    for notice_id in ids:
        assert _delivery(database, notice_id, Channel.INBOX).status == "sent"
        assert _delivery(database, notice_id, Channel.EMAIL).status == "sent"
