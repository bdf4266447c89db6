"""Delivering notices through their channels, with retries that operators can see.

The in-app inbox is written in the notice's own transaction, so it cannot fail
apart from it. An e-mail is a :class:`Delivery` row due at ``next_attempt_at``:
a sender claims it (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers
never send the same row), sends it and marks it sent in the same transaction.
A failed attempt is recorded with its error and retried with exponential
back-off; after ``email_max_attempts`` the row ends ``failed``, counted by
``mqa queues`` and the metrics, never silently dropped. A worker killed while
sending rolls back its claim: the row is still pending and sent later. The one
window SMTP leaves open is a crash after the server accepted the message and
before our commit: that e-mail goes out again with the same Message-ID, which
mail systems use to drop the duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.clock import now
from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import Database
from mqa_workflow.notifications import mail
from mqa_workflow.notifications.models import Channel, Delivery, DeliveryStatus

FIRST_RETRY = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
Mailer = Callable[[Settings, EmailMessage], None]


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0  # gave up: now waiting for an operator
    last_error: str = ""


def _due(delivery_id: int | None = None) -> Select[tuple[Delivery]]:
    query = select(Delivery).where(
        Delivery.channel == Channel.EMAIL, Delivery.status == DeliveryStatus.PENDING,
        Delivery.next_attempt_at <= now(),
    )
    if delivery_id is not None:
        query = query.where(Delivery.id == delivery_id)
    return query.order_by(Delivery.next_attempt_at, Delivery.id).with_for_update(
        skip_locked=True, of=Delivery)


def send_email(session: Session, delivery_id: int | None = None,
               settings: Settings | None = None, mailer: Mailer = mail.send,
               run: DeliveryRun | None = None) -> DeliveryRun:
    """Claim one due e-mail (that one, or the oldest) and try to send it, in the caller's
    transaction. Nothing due, or claimed by another worker: nothing happens."""
    settings = settings or get_settings()
    run = run if run is not None else DeliveryRun()
    delivery = session.scalars(_due(delivery_id).limit(1)).first()
    if delivery is None:
        return run
    recipient = session.get(User, delivery.notification.user_id)
    address = recipient.email if recipient else ""
    try:
        mailer(settings, mail.build_message(settings, delivery, address))
    except Exception as error:  # any channel failure: recorded, retried, never lost
        _record_failure(delivery, error, settings.email_max_attempts, run)
    else:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, now()
        delivery.attempts += 1
        run.sent += 1
    return run


def _record_failure(delivery: Delivery, error: Exception, max_attempts: int,
                    run: DeliveryRun) -> None:
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    run.last_error = delivery.last_error
    if delivery.attempts >= max_attempts:
        delivery.status = DeliveryStatus.FAILED
        run.failed += 1
        return
    delay = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), MAX_BACKOFF)
    delivery.next_attempt_at = now() + delay
    run.retrying += 1


def deliver_due(database: Database, settings: Settings | None = None,
                limit: int = 200, mailer: Mailer = mail.send) -> DeliveryRun:
    """Send every due e-mail, one transaction each (what beat runs every minute)."""
    run = DeliveryRun()
    for _ in range(limit):
        before = run.sent + run.retrying + run.failed
        with database.session() as session:
            send_email(session, settings=settings, mailer=mailer, run=run)
        if run.sent + run.retrying + run.failed == before:
            break  # nothing due is left
    return run


class EmailsNotSent(Exception):
    """A sweep in which some e-mail was refused: reported after every attempt is recorded."""


def raise_if_unsent(run: DeliveryRun) -> None:
    if run.retrying or run.failed:
        raise EmailsNotSent(f"{run.retrying + run.failed} e-mail(s) not sent ({run.sent} sent, "
                            f"{run.retrying} to retry, {run.failed} given up): {run.last_error}")


def retry_failed(session: Session, delivery_ids: list[int] | None = None) -> int:
    """An operator puts failed e-mails back in the queue (after fixing the mail server)."""
    query = select(Delivery).where(Delivery.status == DeliveryStatus.FAILED)
    if delivery_ids:
        query = query.where(Delivery.id.in_(delivery_ids))
    deliveries = list(session.scalars(query))
    for delivery in deliveries:
        delivery.status, delivery.attempts, delivery.next_attempt_at = (
            DeliveryStatus.PENDING, 0, now())
    return len(deliveries)
