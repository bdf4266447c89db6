"""The reviews domain's background tasks: one-liners over its services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.outbox.registry import batch_of, task
from mqa_workflow.reviews.assignment_service import assign_waiting, recheck_and_replace
from mqa_workflow.reviews.conflict_checks import active_application_ids
from mqa_workflow.reviews.models import ReviewStage


@task("reviews.assign_document_review")
def assign_document_review(session: Session, application_id: int, **_: object) -> None:
    assign_waiting(session, application_id, ReviewStage.DOCUMENT_REVIEW)


@task("reviews.assign_defence")
def assign_defence(session: Session, application_id: int, **_: object) -> None:
    assign_waiting(session, application_id, ReviewStage.DEFENCE)


@task("reviews.assign_site_visit")
def assign_site_visit(session: Session, application_id: int, **_: object) -> None:
    assign_waiting(session, application_id, ReviewStage.SITE_VISIT)


# Batch forms: a relayed batch of applications in one task and one transaction. The first
# staffs every application then waiting in one solve, the others find their team complete:
# what one task each did, without a message and a commit each.
@batch_of("reviews.assign_document_review")
def assign_document_reviews(session: Session, payloads: list[dict[str, Any]]) -> None:
    _assign_each(session, payloads, ReviewStage.DOCUMENT_REVIEW)


@batch_of("reviews.assign_defence")
def assign_defences(session: Session, payloads: list[dict[str, Any]]) -> None:
    _assign_each(session, payloads, ReviewStage.DEFENCE)


@batch_of("reviews.assign_site_visit")
def assign_site_visits(session: Session, payloads: list[dict[str, Any]]) -> None:
    _assign_each(session, payloads, ReviewStage.SITE_VISIT)


def _assign_each(session: Session, payloads: list[dict[str, Any]], stage: ReviewStage) -> None:
    for payload in payloads:
        assign_waiting(session, payload["application_id"], stage)


@task("reviews.recheck_conflicts")
def recheck_conflicts(session: Session, **_: object) -> None:
    """Check every open application again. Profile and applicant changes now check at
    once in their own transaction; this stays for messages queued before that."""
    recheck_and_replace(session, active_application_ids(session))
