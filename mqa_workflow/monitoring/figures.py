"""The operator's figures, gathered once for ``mqa queues``, /ops and the metrics endpoint,
and what in them needs an operator now (the alerts that turn /ops red)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from mqa_workflow.clock import now
from mqa_workflow.config import Settings, get_settings
from mqa_workflow.deadlines.open_work import KINDS, open_work
from mqa_workflow.notifications.models import Channel, Delivery, DeliveryStatus
from mqa_workflow.outbox.service import OutboxLag, lag
from mqa_workflow.worker.broker import BrokerFigures, broker_figures


@dataclass
class EmailFigures:
    pending: int = 0
    retrying: int = 0  # pending after at least one failed attempt
    failed: int = 0  # gave up: waiting for an operator (`mqa notify retry`)
    sent: int = 0
    last_error: str = ""  # the latest refusal among e-mails not yet sent


ALERT_KINDS = ("broker_down", "no_worker", "queue_stale", "smtp_refusing", "emails_failed")


@dataclass
class Alert:
    kind: str  # one of ALERT_KINDS
    detail: str


@dataclass
class Figures:
    at: datetime
    broker: BrokerFigures | None
    outbox: OutboxLag
    email: EmailFigures
    overdue: dict[str, int] = field(default_factory=dict)  # kind of work -> overdue pieces
    queue_age_alert_seconds: float = 300.0

    @property
    def outbox_lag_seconds(self) -> float:
        oldest = self.outbox.oldest_created_at
        return max(0.0, (self.at - oldest).total_seconds()) if oldest else 0.0

    @property
    def oldest_queued_seconds(self) -> float:
        """The oldest work not yet started: a message on the broker or an unsent outbox row."""
        on_broker = self.broker.oldest_queued_seconds if self.broker else 0.0
        return max(on_broker, self.outbox_lag_seconds)

    @property
    def alerts(self) -> list[Alert]:
        found = []
        broker = self.broker
        if broker is not None and not broker.reachable:
            found.append(Alert("broker_down", broker.error))
        elif broker is not None and broker.workers == 0:
            found.append(Alert("no_worker", ""))  # no Celery worker answered a ping
        if self.oldest_queued_seconds > self.queue_age_alert_seconds:
            found.append(Alert("queue_stale", f"{self.oldest_queued_seconds:.0f} s > "
                                              f"{self.queue_age_alert_seconds:.0f} s"))
        if self.email.retrying:
            found.append(Alert("smtp_refusing", self.email.last_error))
        if self.email.failed:
            found.append(Alert("emails_failed", f"{self.email.failed}"))
        return found

    @property
    def healthy(self) -> bool:
        return not self.alerts


def summary(figures: Figures) -> dict[str, Any]:
    """The figures as JSON-ready data (``mqa queues --json``); times in UTC ISO 8601."""
    broker = figures.broker
    broker_data: dict[str, Any] | None = None
    if broker is not None:
        broker_data = {
            "reachable": broker.reachable, "error": broker.error, "depths": broker.depths,
            "oldest_queued_seconds": round(broker.oldest_queued_seconds, 1),
            "workers": broker.worker_names, "running": broker.running,
            "retried": broker.retried, "failed": broker.failed}
    return {
        "at": figures.at.isoformat(), "healthy": figures.healthy,
        "alerts": [asdict(alert) for alert in figures.alerts],
        "broker": broker_data, "tasks_in_process": broker is None,
        "oldest_queued_seconds": round(figures.oldest_queued_seconds, 1),
        "outbox": {"pending": figures.outbox.pending, "failing": figures.outbox.failing,
                   "lag_seconds": round(figures.outbox_lag_seconds, 1)},
        "email": asdict(figures.email), "overdue": figures.overdue,
    }


def email_figures(session: Session) -> EmailFigures:
    rows = session.execute(
        select(Delivery.status, Delivery.attempts, func.count())
        .where(Delivery.channel == Channel.EMAIL)
        .group_by(Delivery.status, Delivery.attempts))
    figures = EmailFigures()
    for status, attempts, count in rows:
        if status == DeliveryStatus.PENDING:
            figures.pending += count
            figures.retrying += count if attempts else 0
        elif status == DeliveryStatus.FAILED:
            figures.failed += count
        else:
            figures.sent += count
    figures.last_error = session.scalar(
        select(Delivery.last_error).where(Delivery.channel == Channel.EMAIL, unsent_refused())
        .order_by(Delivery.next_attempt_at.desc(), Delivery.id.desc()).limit(1)) or ""
    return figures


def unsent_refused() -> ColumnElement[bool]:
    """E-mails that were refused and are not sent yet: retrying, or given up."""
    return or_(Delivery.status == DeliveryStatus.FAILED,
               (Delivery.status == DeliveryStatus.PENDING) & (Delivery.attempts > 0))


def overdue_work(session: Session, at: datetime) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for work in open_work(session):
        if at >= work.due_at:
            counts[work.kind] += 1
    return counts


def collect(session: Session, settings: Settings | None = None,
            inspect_timeout: float = 1.0) -> Figures:
    settings = settings or get_settings()
    at = now()
    return Figures(at=at, broker=broker_figures(settings, inspect_timeout), outbox=lag(session),
                   email=email_figures(session), overdue=overdue_work(session, at),
                   queue_age_alert_seconds=settings.queue_age_alert_seconds)
