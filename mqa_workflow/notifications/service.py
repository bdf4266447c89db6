"""Sending notices: rendered in each person's language, written to their inbox, and
queued for e-mail when an SMTP server is configured.

Everything here runs inside the caller's transaction: a notice exists exactly
when the work that caused it committed. The e-mail leaves after the commit,
through the outbox (``notifications.send_email``) and the periodic sweep
(:func:`mqa_workflow.notifications.delivery.deliver_due`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.applications.vocabulary import OUTCOME_STATES
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.clock import now
from mqa_workflow.committee.models import CommitteeDecision
from mqa_workflow.config import get_settings
from mqa_workflow.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    SentNotice,
)
from mqa_workflow.notifications.rendering import Rendered, render, render_many
from mqa_workflow.outbox.service import enqueue

__all__ = ["Rendered", "notify", "notify_many", "notify_once", "render"]

SEND_EMAIL = "notifications.send_email"


def notify(session: Session, user: User, event: str, context: dict[str, Any],
           application_id: int | None = None) -> Notification:
    """One notice to one person, in their language: inbox now, e-mail after commit."""
    rendered = render(event, user.language, context | {"recipient": user.name})
    notification = Notification(
        user_id=user.id, event=event, application_id=application_id, language=user.language,
        subject=rendered.subject[:300], body=rendered.text, html=rendered.html,
    )
    notification.deliveries.append(Delivery(channel=Channel.INBOX, status=DeliveryStatus.SENT,
                                            attempts=1, sent_at=now()))
    mail = Delivery(channel=Channel.EMAIL) if get_settings().smtp_host else None
    if mail is not None:
        notification.deliveries.append(mail)
    session.add(notification)
    session.flush()
    if mail is not None:
        enqueue(session, SEND_EMAIL, {"delivery_id": mail.id}, f"email:{mail.id}")
    return notification


def notify_many(session: Session, users: Sequence[User], event: str, context: dict[str, Any],
                application_id: int | None = None) -> list[int]:
    """:func:`notify` for several people at once: the notice rendered once per language
    with each person's name filled in, and stored with one INSERT for the notices and one
    for their deliveries. Returns the notices' ids, in the order of ``users``."""
    if not users:
        return []
    rendered: dict[int, Rendered] = {}
    for language in {user.language for user in users}:
        speakers = [user for user in users if user.language == language]
        for user, notice in zip(speakers, render_many(event, language, context,
                                                      [u.name for u in speakers]), strict=True):
            rendered[user.id] = notice
    at = now()
    ids = list(session.scalars(
        insert(Notification).returning(Notification.id, sort_by_parameter_order=True),
        [{"user_id": user.id, "event": event, "application_id": application_id,
          "language": user.language, "subject": rendered[user.id].subject[:300],
          "body": rendered[user.id].text, "html": rendered[user.id].html, "created_at": at}
         for user in users]))
    deliveries = [{"notification_id": id_, "channel": Channel.INBOX,
                   "status": DeliveryStatus.SENT, "attempts": 1, "sent_at": at} for id_ in ids]
    if get_settings().smtp_host:
        mails = list(session.scalars(
            insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
            [{"notification_id": id_, "channel": Channel.EMAIL} for id_ in ids]))
        for mail_id in mails:
            enqueue(session, SEND_EMAIL, {"delivery_id": mail_id}, f"email:{mail_id}")
    session.execute(insert(Delivery), deliveries)
    return ids


def notify_once(session: Session, key: str, event: str, users: Sequence[User],
                context: dict[str, Any], application_id: int | None = None,
                due_at: datetime | None = None) -> bool:
    """Send a notice once per ``key``, ever; False when it was sent before (or by a
    concurrent scan, which this one waits for and then finds on the primary key)."""
    if session.get(SentNotice, key) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SentNotice(key=key, event=event, application_id=application_id,
                                   due_at=due_at, recipients=len(users)))
    except IntegrityError:
        return False
    notify_many(session, users, event, context, application_id)
    return True


def sent_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of ``keys`` were sent before (one query per 500 keys)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # keep the IN list within every backend's limit
        found.update(session.scalars(select(SentNotice.key).where(
            SentNotice.key.in_(keys[start:start + 500]))))
    return found


def application_context(application: Application) -> dict[str, Any]:
    """What every notice about an application shows."""
    return {"application_id": application.id, "title": application.title,
            "cycle": application.cycle.name, "award_class": application.award_class}


def contacts(session: Session, application: Application) -> list[User]:
    return list(session.scalars(select(User).where(
        User.organization_id == application.organization_id).order_by(User.id)))


def _with_contacts(session: Session, application_id: int
                   ) -> tuple[Application, list[User]] | None:
    """The application with what its notices show (cycle, organization, project) and its
    contacts (as :func:`contacts` orders them), in one query instead of four: a worker
    sends thousands of these notices, and each round trip costs more than the rest."""
    rows = session.execute(
        select(Application, User)
        .outerjoin(User, User.organization_id == Application.organization_id)
        .where(Application.id == application_id)
        .options(joinedload(Application.cycle), joinedload(Application.organization),
                 joinedload(Application.project))
        .order_by(User.id)).all()
    if not rows:
        return None
    return rows[0][0], [user for _, user in rows if user is not None]


def _reason(session: Session, application_id: int, trigger: str) -> str:
    return session.scalar(
        select(AuditRecord.reason).where(
            AuditRecord.application_id == application_id, AuditRecord.trigger == trigger
        ).order_by(AuditRecord.seq.desc()).limit(1)
    ) or ""


def notify_state_change(
    session: Session, application_id: int, trigger: str, from_state: str, to_state: str,
    reason_for_applicant: bool = False,
) -> None:
    """Tell the applicant's contacts that their application moved (or was decided).

    ``reason_for_applicant``: the transition's reason is written for the applicant (the
    workflow knows which transitions ask for one); without it no reason is shown."""
    found = _with_contacts(session, application_id)
    if found is None:
        return  # deleted since; nothing to tell
    application, people = found
    context = application_context(application) | {
        "from_state": from_state, "to_state": to_state,
        # Only a reason written for the applicant; never the office's notes on votes or people.
        "reason": _reason(session, application_id, trigger) if reason_for_applicant else "",
        "correction_due_at": (application.correction_due_at
                              if to_state == ApplicationState.RETURNED_FOR_CORRECTION else None),
    }
    event = "decision" if to_state in OUTCOME_STATES else "state_changed"
    if event == "decision":  # the committee's decision as frozen when taken, if it took one
        stored = session.get(CommitteeDecision, application_id)
        context["decision"] = stored.outcome if stored is not None else ""
    notify_many(session, people, event, context, application_id)


def notify_feedback_report_ready(session: Session, application_id: int, location: str) -> None:
    """Tell the applicant's contacts where their feedback report is."""
    found = _with_contacts(session, application_id)
    if found is None:
        return
    application, people = found
    context = application_context(application) | {"state": application.state,
                                                   "location": location}
    notify_many(session, people, "feedback_report_ready", context, application_id)
