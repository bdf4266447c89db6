"""The notifications domain's background tasks: one-liners over its services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.db import Database
from mqa_workflow.notifications.committee import notify_committee_referral
from mqa_workflow.notifications.delivery import deliver_due, raise_if_unsent, send_email
from mqa_workflow.notifications.service import (
    SEND_EMAIL,
    notify_feedback_report_ready,
    notify_feedback_reports_ready,
    notify_state_change,
    notify_state_changes,
)
from mqa_workflow.outbox.registry import WorkFailed, batch_of, periodic, task

STATE_CHANGED = "notifications.state_changed"
FEEDBACK_REPORT_READY = "notifications.feedback_report_ready"
DELIVER = "notifications.deliver_due"
COMMITTEE_REFERRAL = "notifications.committee_referral"


@task(STATE_CHANGED)
def state_changed(session: Session, application_id: int, trigger: str, from_state: str,
                  to_state: str, reason_for_applicant: bool = False) -> None:
    notify_state_change(session, application_id, trigger, from_state, to_state,
                        reason_for_applicant)


@batch_of(STATE_CHANGED)
def state_changes(session: Session, payloads: list[dict[str, Any]]) -> None:
    """A bulk of transitions' notices (the relay sends their rows as one message): the
    applications loaded and every notice stored at once, in one transaction."""
    notify_state_changes(session, payloads)


@task(FEEDBACK_REPORT_READY)
def feedback_report_ready(session: Session, application_id: int, location: str) -> None:
    notify_feedback_report_ready(session, application_id, location)


@batch_of(FEEDBACK_REPORT_READY)
def feedback_reports_ready(session: Session, payloads: list[dict[str, Any]]) -> None:
    """A released cycle's reports announced together (the relay sends their rows as one
    message), every notice stored at once."""
    notify_feedback_reports_ready(session, payloads)


@task(COMMITTEE_REFERRAL)
def committee_referral(session: Session, application_id: int, **_: object) -> None:
    notify_committee_referral(session, application_id)


@task(SEND_EMAIL)
def send_queued_email(session: Session, delivery_id: int) -> None:
    """Send one e-mail now; a failure is recorded on its row and retried by the sweep, and
    the task is reported failed (after that record is committed)."""
    run = send_email(session, delivery_id)
    if run.retrying or run.failed:
        raise WorkFailed(f"e-mail {delivery_id} not sent: {run.last_error}")


# The sweep claims its rows, so two beats or a redelivered tick do no harm.
@periodic(DELIVER, every=60.0)
def deliver_emails(database: Database) -> dict[str, Any]:
    run = deliver_due(database)  # each e-mail committed on its own
    raise_if_unsent(run)  # the sweep is reported failed when an e-mail was not sent
    return {"sent": run.sent, "retrying": run.retrying, "failed": run.failed}
