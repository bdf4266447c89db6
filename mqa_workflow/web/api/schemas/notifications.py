"""Your in-app inbox as the API shows it."""

from __future__ import annotations

from typing import Any

from mqa_workflow.notifications.models import Notification
from mqa_workflow.web.api.schemas.common import Moment, Read, when


class NoticeRead(Read):
    id: int
    event: str
    subject: str
    application_id: int | None
    created_at: Moment | None
    read: bool

    @classmethod
    def fields_of(cls, notice: Notification) -> dict[str, Any]:
        return {"id": notice.id, "event": notice.event, "subject": notice.subject,
                "application_id": notice.application_id, "created_at": when(notice.created_at),
                "read": notice.read_at is not None}


class OpenedNoticeRead(NoticeRead):
    body: str


class InboxRead(Read):
    unread: int
    notices: list[NoticeRead]


class MarkedRead(Read):
    marked: int
