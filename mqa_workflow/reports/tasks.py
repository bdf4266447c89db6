"""The reports domain's background tasks: one-liners over its services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.outbox.registry import batch_of, task
from mqa_workflow.reports.pdf import keep_released_pdf
from mqa_workflow.reports.service import FEEDBACK_PDF, FEEDBACK_READY, announce_feedback


@task(FEEDBACK_READY)
def feedback_ready(session: Session, application_id: int, **_: object) -> None:
    announce_feedback(session, application_id)


@task(FEEDBACK_PDF)
def feedback_pdf(session: Session, application_id: int, **_: object) -> None:
    keep_released_pdf(session, application_id)


@batch_of(FEEDBACK_READY)
def feedback_ready_many(session: Session, payloads: list[dict[str, Any]]) -> None:
    """A released cycle's applications announced in one transaction (the relay sends their
    rows as one message) instead of one task each."""
    for payload in payloads:
        announce_feedback(session, payload["application_id"])
