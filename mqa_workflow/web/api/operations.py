"""Operators: queues, failing tasks, e-mails, outbox lag, overdue work; retries."""

from __future__ import annotations

from fastapi import APIRouter

from mqa_workflow.notifications.delivery import retry_failed
from mqa_workflow.outbox.service import retry_now
from mqa_workflow.web.api.schemas import Id, RetryBody
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.api.schemas.operations import OverviewRead, QueuedRead, RetriedTaskRead
from mqa_workflow.web.deps import DB, Operator
from mqa_workflow.web.operations import overview

# Operators and administrators only.
router = APIRouter(prefix="/operations", tags=["operations"], responses=refusals(401, 403))


@router.get("", summary="Figures and the failing rows behind them")
def get_overview(session: DB, _: Operator) -> OverviewRead:
    return OverviewRead.model_validate(overview(session))


@router.post("/tasks/{message_id}/retry", summary="Run a failing background task again now",
             responses=refusals(404, 409, 422))
def post_retry_task(message_id: Id, session: DB, _: Operator) -> RetriedTaskRead:
    message = retry_now(session, message_id)
    return RetriedTaskRead(detail="queued again", id=message.id, task=message.task)


@router.post("/emails/retry", summary="Queue failed e-mails again (all when none are named)",
             responses=refusals(409, 422))
def post_retry_emails(body: RetryBody, session: DB, _: Operator) -> QueuedRead:
    return QueuedRead(queued=retry_failed(session, body.ids or None))
