"""Operator pages: health at a glance (red when something needs an operator), workers,
queues, failing tasks and e-mails with retry buttons, overdue work."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mqa_workflow.notifications.delivery import retry_failed
from mqa_workflow.outbox.service import retry_now
from mqa_workflow.web.operations import overview
from mqa_workflow.web.pages.deps import OperatorPage
from mqa_workflow.web.pages.rendering import back_to, render

router = APIRouter(prefix="/ops")


@router.get("")
def operations(request: Request, page: OperatorPage) -> Response:
    figures = overview(page.session)
    response = render(request, "operator/ops.html", user=page.user, csrf=page.csrf,
                      figures=figures)
    # Browsers reload on this header by themselves: auto-refresh without any script.
    response.headers["Refresh"] = str(figures["refresh_seconds"])
    return response


@router.post("/tasks/{message_id}/retry")
def retry_task(message_id: int, page: OperatorPage) -> Response:
    retry_now(page.session, message_id)
    return back_to("/ops")


@router.post("/emails/retry")
def retry_emails(page: OperatorPage) -> Response:
    retry_failed(page.session)
    return back_to("/ops")
