"""The reports domain's background tasks: one-liners over its services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mqa_workflow.outbox.registry import task
from mqa_workflow.reports.service import FEEDBACK_READY, announce_feedback


@task(FEEDBACK_READY)
def feedback_ready(session: Session, application_id: int, **_: object) -> None:
    announce_feedback(session, application_id)
