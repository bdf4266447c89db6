"""Rendering notifications from templates and delivering them to the in-app inbox.

Templates live in ``templates/EVENT.LANG.txt``: the first line is the subject,
the rest the body. ``StrictUndefined`` makes a missing variable an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.notifications.models import Notification
from mqa_workflow.states.table import ApplicationState
from mqa_workflow.tasks.registry import register

TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    undefined=StrictUndefined,
    autoescape=select_autoescape(["html"], default_for_string=False),
    keep_trailing_newline=True,
)


def render(event: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    text = _environment.get_template(f"{event}.{language}.txt").render(context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def deliver(session: Session, user: User, event: str, subject: str, body: str,
            application_id: int | None = None) -> Notification:
    notification = Notification(user_id=user.id, event=event, application_id=application_id,
                                subject=subject, body=body)
    session.add(notification)
    return notification


@register("notifications.state_changed")
def notify_state_change(
    session: Session, application_id: int, trigger: str, from_state: str, to_state: str
) -> None:
    """Tell the applicant's contacts that their application moved."""
    application = session.get(Application, application_id)
    if application is None:
        return  # deleted since; nothing to tell
    reason = session.scalar(
        select(AuditRecord.reason).where(
            AuditRecord.application_id == application_id, AuditRecord.trigger == trigger
        ).order_by(AuditRecord.seq.desc()).limit(1)
    )
    context = {
        "application": application, "cycle": application.cycle,
        "award_class": application.award_class, "from_state": from_state,
        "to_state": to_state, "from_label": ApplicationState(from_state).label,
        "to_label": ApplicationState(to_state).label, "reason": reason or "",
    }
    subject, body = render("state_changed", "zh", context)
    contacts = session.scalars(
        select(User).where(User.organization_id == application.organization_id)
    ).all()
    for contact in contacts:
        deliver(session, contact, "state_changed", subject, body, application_id)
