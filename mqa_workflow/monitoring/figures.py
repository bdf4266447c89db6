"""The operator's figures, gathered once for ``mqa queues`` and the metrics endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.clock import now
from mqa_workflow.config import Settings
from mqa_workflow.deadlines.work import KINDS, open_work
from mqa_workflow.monitoring.broker import BrokerFigures, broker_figures
from mqa_workflow.notifications.models import Channel, Delivery, DeliveryStatus
from mqa_workflow.outbox.service import OutboxLag, lag


@dataclass
class EmailFigures:
    pending: int = 0
    retrying: int = 0  # pending after at least one failed attempt
    failed: int = 0  # gave up: waiting for an operator (`mqa notify retry`)
    sent: int = 0


@dataclass
class Figures:
    at: datetime
    broker: BrokerFigures | None
    outbox: OutboxLag
    email: EmailFigures
    overdue: dict[str, int] = field(default_factory=dict)  # kind of work -> overdue pieces

    @property
    def outbox_lag_seconds(self) -> float:
        oldest = self.outbox.oldest_created_at
        return max(0.0, (self.at - oldest).total_seconds()) if oldest else 0.0


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
    return figures


def overdue_work(session: Session, at: datetime) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for work in open_work(session):
        if at >= work.due_at:
            counts[work.kind] += 1
    return counts


def collect(session: Session, settings: Settings | None = None,
            inspect_timeout: float = 1.0) -> Figures:
    at = now()
    return Figures(at=at, broker=broker_figures(settings, inspect_timeout), outbox=lag(session),
                   email=email_figures(session), overdue=overdue_work(session, at))
