"""The in-app inbox: a person's notices, newest first, read or unread."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.clock import now
from mqa_workflow.errors import NotFoundError
from mqa_workflow.notifications.models import Notification


def inbox(session: Session, user: User, unread_only: bool = False,
          limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user: User, notification_ids: Sequence[int] = ()) -> int:
    """Mark those notices read (all unread ones when none are named); how many changed."""
    query = select(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if notification_ids:
        query = query.where(Notification.id.in_(notification_ids))
        found = set(session.scalars(select(Notification.id).where(
            Notification.user_id == user.id, Notification.id.in_(notification_ids))))
        missing = sorted(set(notification_ids) - found)
        if missing:
            raise NotFoundError(f"{user.email} has no notice {', '.join(map(str, missing))}")
    notices = list(session.scalars(query))
    for notice in notices:
        notice.read_at = now()
    return len(notices)


def read_notice(session: Session, user: User, notification_id: int) -> Notification:
    """Open one notice (which marks it read)."""
    notice = session.get(Notification, notification_id)
    if notice is None or notice.user_id != user.id:
        raise NotFoundError(f"{user.email} has no notice {notification_id}")
    notice.read_at = notice.read_at or now()
    return notice
