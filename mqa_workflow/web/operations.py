"""The operators' view: the monitoring figures plus the rows behind them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.deadlines.work import open_work
from mqa_workflow.monitoring.figures import collect
from mqa_workflow.notifications.models import Channel, Delivery, DeliveryStatus
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.web.present import when


def overview(session: Session) -> dict[str, Any]:
    figures = collect(session, inspect_timeout=0.5)
    at = figures.at
    failing = session.scalars(select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.id).limit(200))
    failed_mail = session.scalars(select(Delivery).where(
        Delivery.channel == Channel.EMAIL, Delivery.status == DeliveryStatus.FAILED)
        .order_by(Delivery.id).limit(200))
    overdue = [w for w in open_work(session) if at >= w.due_at][:200]
    return {
        "at": when(at),
        "broker": asdict(figures.broker) if figures.broker else None,
        "outbox": {"pending": figures.outbox.pending, "failing": figures.outbox.failing,
                   "lag_seconds": round(figures.outbox_lag_seconds, 1)},
        "email": asdict(figures.email),
        "overdue_counts": figures.overdue,
        "failing_tasks": [{"id": m.id, "task": m.task, "attempts": m.attempts,
                           "last_error": m.last_error, "available_at": when(m.available_at)}
                          for m in failing],
        "failed_emails": [{"id": d.id, "event": d.notification.event,
                           "subject": d.notification.subject, "attempts": d.attempts,
                           "last_error": d.last_error} for d in failed_mail],
        "overdue": [{"kind": w.kind, "application_id": w.application.id,
                     "responsible": [u.name for u in w.responsible],
                     "due_at": when(w.due_at)} for w in overdue],
    }


