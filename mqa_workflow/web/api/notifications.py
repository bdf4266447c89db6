"""Your in-app inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mqa_workflow.notifications.inbox import inbox, mark_read, read_notice, unread_count
from mqa_workflow.web.api.schemas import Id, ReadBody
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.api.schemas.notifications import (
    InboxRead,
    MarkedRead,
    NoticeRead,
    OpenedNoticeRead,
)
from mqa_workflow.web.deps import DB, CurrentUser

router = APIRouter(prefix="/notifications", tags=["notifications"],
                   responses=refusals(401, 422))


@router.get("", summary="Your notices, newest first")
def list_notices(session: DB, user: CurrentUser,
                 unread: Annotated[bool, Query()] = False) -> InboxRead:
    return InboxRead(unread=unread_count(session, user),
                     notices=[NoticeRead(**NoticeRead.fields_of(n))
                              for n in inbox(session, user, unread)])


@router.post("/read", summary="Mark notices read (all when none are named; 404 if one is "
                              "not yours)",
             responses=refusals(403, 404, 409))
def post_read(body: ReadBody, session: DB, user: CurrentUser) -> MarkedRead:
    return MarkedRead(marked=mark_read(session, user, body.ids))


@router.get("/{notification_id}", summary="Open one of your notices (marks it read)",
            responses=refusals(404))
def get_notice(notification_id: Id, session: DB, user: CurrentUser) -> OpenedNoticeRead:
    notice = read_notice(session, user, notification_id)
    return OpenedNoticeRead(**OpenedNoticeRead.fields_of(notice), body=notice.body)
