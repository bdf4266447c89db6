"""Background tasks of the review pipeline: thin wrappers over the domain functions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.reviews.assignment_service import (
    applications_needing_reviewers,
    assign_stage,
    recheck_and_replace,
)
from mqa_workflow.reviews.conflict_checks import active_application_ids
from mqa_workflow.reviews.models import ReviewStage
from mqa_workflow.scoring.consolidation import consolidate
from mqa_workflow.tasks.registry import register


def _stage_peers(session: Session, application_id: int, state: str) -> list[int]:
    """Every application of the same cycle now in ``state``: assigned in one solve."""
    application = session.get(Application, application_id)
    if application is None:
        return []
    return list(session.scalars(select(Application.id).where(
        Application.cycle_id == application.cycle_id, Application.state == state)
        .order_by(Application.id)))


def _assign(session: Session, application_id: int, stage: ReviewStage) -> None:
    # One task per confirmed application, but the first to run staffs every application
    # then waiting in one optimization; the others see their own team complete and stop
    # at once (one small query, so N tasks cost O(N), not O(N²)).
    application = session.get(Application, application_id)
    if application is None or application.state != stage.value:
        return
    if not applications_needing_reviewers(session, [application_id], stage):
        return
    waiting = applications_needing_reviewers(
        session, _stage_peers(session, application_id, stage.value), stage)
    if not waiting:
        return
    result = assign_stage(session, waiting, stage)
    for uncovered in result.uncovered:
        # Visible in the case's history; the stage's guard keeps it from moving on.
        audit.append(session, actor="system", trigger="assign_reviewers",
                     application_id=uncovered.application_id, reason=uncovered.reason,
                     data={"stage": stage.value, "covered": False})


@register("reviews.assign_document_review")
def assign_document_review(session: Session, application_id: int, **_: object) -> None:
    _assign(session, application_id, ReviewStage.DOCUMENT_REVIEW)


@register("reviews.assign_defence")
def assign_defence(session: Session, application_id: int, **_: object) -> None:
    _assign(session, application_id, ReviewStage.DEFENCE)


@register("reviews.assign_site_visit")
def assign_site_visit(session: Session, application_id: int, **_: object) -> None:
    _assign(session, application_id, ReviewStage.SITE_VISIT)


@register("scoring.consolidate")
def consolidate_score(session: Session, application_id: int, **_: object) -> None:
    consolidate(session, application_id)


@register("reviews.recheck_conflicts")
def recheck_conflicts(session: Session, **_: object) -> None:
    """Check every open application again. Profile and applicant changes now check at
    once in their own transaction; this stays for messages queued before that."""
    recheck_and_replace(session, active_application_ids(session))
