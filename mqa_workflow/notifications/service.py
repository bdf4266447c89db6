"""Sending notices: rendered in each person's language, written to their inbox, and
queued for e-mail when an SMTP server is configured.

Everything here runs inside the caller's transaction: a notice exists exactly
when the work that caused it committed. The e-mail leaves after the commit,
through the outbox (``notifications.send_email``) and the periodic sweep
(:func:`mqa_workflow.notifications.delivery.deliver_due`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
    return notify_groups(session, [Notices(users, event, context, application_id)])


@dataclass(frozen=True)
class Notices:
    """One notice (``event`` with ``context``) to each of ``users``."""

    users: Sequence[User]
    event: str
    context: dict[str, Any]
    application_id: int | None = None


def notify_groups(session: Session, groups: Sequence[Notices]) -> list[int]:
    """:func:`notify_many` for several notices at once (a batch of state changes): every
    group rendered once per language, and all of them stored with one INSERT for the
    notices and one for their deliveries. Returns the ids, group by group, in order."""
    rows = [row for group in groups for row in _rendered_rows(group)]
    if not rows:
        return []
    at = now()
    ids = list(session.scalars(
        insert(Notification).returning(Notification.id, sort_by_parameter_order=True),
        [row | {"created_at": at} for row in rows]))
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


def _rendered_rows(group: Notices) -> list[dict[str, Any]]:
    """The notices' rows for one group, in the order of its users."""
    rendered: dict[int, Rendered] = {}
    for language in {user.language for user in group.users}:
        speakers = [user for user in group.users if user.language == language]
        names = [user.name for user in speakers]
        for user, notice in zip(speakers, render_many(group.event, language, group.context,
                                                      names), strict=True):
            rendered[user.id] = notice
    return [{"user_id": user.id, "event": group.event, "application_id": group.application_id,
             "language": user.language, "subject": rendered[user.id].subject[:300],
             "body": rendered[user.id].text, "html": rendered[user.id].html}
            for user in group.users]


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
    return _many_with_contacts(session, {application_id}).get(application_id)


def _many_with_contacts(session: Session, application_ids: set[int]
                        ) -> dict[int, tuple[Application, list[User]]]:
    """:func:`_with_contacts` for several applications, still one query (per 500)."""
    found: dict[int, tuple[Application, list[User]]] = {}
    ordered = sorted(application_ids)
    for start in range(0, len(ordered), 500):
        rows = session.execute(
            select(Application, User)
            .outerjoin(User, User.organization_id == Application.organization_id)
            .where(Application.id.in_(ordered[start:start + 500]))
            .options(joinedload(Application.cycle), joinedload(Application.organization),
                     joinedload(Application.project))
            .order_by(Application.id, User.id)).all()
        for application, user in rows:
            people = found.setdefault(application.id, (application, []))[1]
            if user is not None:
                people.append(user)
    return found


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
    notify_state_changes(session, [{
        "application_id": application_id, "trigger": trigger, "from_state": from_state,
        "to_state": to_state, "reason_for_applicant": reason_for_applicant}])


def notify_state_changes(session: Session, changes: Sequence[dict[str, Any]]) -> list[int]:
    """:func:`notify_state_change` for several moves at once (each a dict of its arguments):
    the applications, what their notices show and their contacts in one query, the
    committee's decisions in one more, and every notice stored with
    :func:`notify_groups`. Returns the notices' ids."""
    found = _many_with_contacts(session, {change["application_id"] for change in changes})
    outcomes = [change["application_id"] for change in changes
                if change["to_state"] in OUTCOME_STATES and change["application_id"] in found]
    decisions = _decisions(session, outcomes)
    groups = []
    for change in changes:
        if change["application_id"] not in found:
            continue  # deleted since; nothing to tell
        application, people = found[change["application_id"]]
        groups.append(_state_change_notices(session, application, people, change, decisions))
    return notify_groups(session, groups)


def _state_change_notices(session: Session, application: Application, people: list[User],
                          change: dict[str, Any], decisions: dict[int, str]) -> Notices:
    to_state = change["to_state"]
    context = application_context(application) | {
        "from_state": change["from_state"], "to_state": to_state,
        # Only a reason written for the applicant; never the office's notes on votes or people.
        "reason": (_reason(session, application.id, change["trigger"])
                   if change.get("reason_for_applicant") else ""),
        "correction_due_at": (application.correction_due_at
                              if to_state == ApplicationState.RETURNED_FOR_CORRECTION else None),
    }
    event = "decision" if to_state in OUTCOME_STATES else "state_changed"
    if event == "decision":  # the committee's decision as frozen when taken, if it took one
        context["decision"] = decisions.get(application.id, "")
    return Notices(people, event, context, application.id)


def _decisions(session: Session, application_ids: list[int]) -> dict[int, str]:
    """The committee's frozen outcome per application that has a decision stored."""
    if not application_ids:
        return {}
    return dict(session.execute(select(CommitteeDecision.application_id,
                                       CommitteeDecision.outcome).where(
        CommitteeDecision.application_id.in_(application_ids))).tuples().all())


def notify_feedback_report_ready(session: Session, application_id: int, location: str) -> None:
    """Tell the applicant's contacts where their feedback report is."""
    notify_feedback_reports_ready(session, [{"application_id": application_id,
                                             "location": location}])


def notify_feedback_reports_ready(session: Session, reports: Sequence[dict[str, Any]]
                                  ) -> list[int]:
    """:func:`notify_feedback_report_ready` for several reports at once (a released
    cycle's), loaded with one query and stored with :func:`notify_groups`."""
    found = _many_with_contacts(session, {report["application_id"] for report in reports})
    groups = []
    for report in reports:
        if report["application_id"] not in found:
            continue  # deleted since; nothing to tell
        application, people = found[report["application_id"]]
        context = application_context(application) | {"state": application.state,
                                                       "location": report["location"]}
        groups.append(Notices(people, "feedback_report_ready", context, application.id))
    return notify_groups(session, groups)
