"""The operators' view: the monitoring figures, what needs attention, and the rows behind
them (failing tasks, e-mails not sent with their error and next attempt, overdue work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.clock import office_time
from mqa_workflow.config import get_settings
from mqa_workflow.deadlines.open_work import open_work
from mqa_workflow.monitoring.figures import collect, summary, unsent_refused
from mqa_workflow.notifications.models import Channel, Delivery, DeliveryStatus
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.web.present import when

REFRESH_SECONDS = 30  # the page reloads itself this often (a Refresh header: no script)
LISTED = 200
# Page text (English here, Chinese in web/i18n.py) for the alerts and the kinds of work.
ALERT_TITLES = {
    "broker_down": "The broker cannot be reached",
    "no_worker": "No worker is running",
    "queue_stale": "Queued work has waited too long",
    "smtp_refusing": "The mail server refuses e-mails",
    "emails_failed": "E-mails were given up: fix the mail server, then retry them",
}
WORK_TITLES = {
    "correction": "Applicant's correction", "review": "Review score sheet",
    "consensus": "Consensus sheet", "site_visit_report": "Site-visit report",
    "committee_vote": "Committee vote",
}


def beijing(value: datetime | None) -> str:
    """A moment as the office reads it: Beijing time to the minute, as on every page (the
    machine-readable ``at`` fields beside these keep the exact moment)."""
    return office_time(value)


def overview(session: Session) -> dict[str, Any]:
    settings = get_settings()
    figures = collect(session, settings, inspect_timeout=0.5)
    at = figures.at
    failing = session.scalars(select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.id).limit(LISTED))
    unsent = session.scalars(select(Delivery).where(
        Delivery.channel == Channel.EMAIL, unsent_refused())
        .order_by(Delivery.status, Delivery.next_attempt_at, Delivery.id).limit(LISTED))
    overdue = [w for w in open_work(session) if at >= w.due_at][:LISTED]
    data = summary(figures)
    return data | {
        "at": when(at), "at_beijing": beijing(at),
        "overdue_counts": figures.overdue,
        "queue_age_alert_seconds": figures.queue_age_alert_seconds,
        "alert_titles": ALERT_TITLES, "work_titles": WORK_TITLES,
        "flower_url": settings.flower_url, "refresh_seconds": REFRESH_SECONDS,
        "failing_tasks": [{"id": m.id, "task": m.task, "attempts": m.attempts,
                           "last_error": m.last_error, "available_at": when(m.available_at),
                           "available_at_beijing": beijing(m.available_at)}
                          for m in failing],
        "unsent_emails": [_email(d) for d in unsent],
        "failed_emails": [_email(d) for d in _failed(session)],
        "overdue": [{"kind": w.kind, "application_id": w.application.id,
                     "responsible": [u.name for u in w.responsible],
                     "due_at": when(w.due_at), "due_at_beijing": beijing(w.due_at)}
                    for w in overdue],
    }


def _failed(session: Session) -> list[Delivery]:
    return list(session.scalars(select(Delivery).where(
        Delivery.channel == Channel.EMAIL, Delivery.status == DeliveryStatus.FAILED)
        .order_by(Delivery.id).limit(LISTED)))


def _email(delivery: Delivery) -> dict[str, Any]:
    retrying = delivery.status == DeliveryStatus.PENDING  # only refused ones are listed
    return {"id": delivery.id, "event": delivery.notification.event,
            "subject": delivery.notification.subject,
            "status": "retrying" if retrying else delivery.status,
            "attempts": delivery.attempts, "last_error": delivery.last_error,
            "next_attempt_at": when(delivery.next_attempt_at) if retrying else None,
            "next_attempt_at_beijing": beijing(delivery.next_attempt_at) if retrying else ""}
