"""Your in-app inbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from mqa_workflow.notifications.inbox import inbox, mark_read, read_notice, unread_count
from mqa_workflow.web.api.schemas import Id, ReadBody
from mqa_workflow.web.deps import DB, CurrentUser
from mqa_workflow.web.present import notification_json

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", summary="Your notices, newest first")
def list_notices(session: DB, user: CurrentUser,
                 unread: Annotated[bool, Query()] = False) -> dict[str, Any]:
    return {"unread": unread_count(session, user),
            "notices": [notification_json(n) for n in inbox(session, user, unread)]}


@router.post("/read", summary="Mark notices read (all when none are named)")
def post_read(body: ReadBody, session: DB, user: CurrentUser) -> dict[str, int]:
    return {"marked": mark_read(session, user, body.ids)}


@router.get("/{notification_id}", summary="Open one of your notices (marks it read)")
def get_notice(notification_id: Id, session: DB, user: CurrentUser) -> dict[str, Any]:
    return notification_json(read_notice(session, user, notification_id), with_body=True)
