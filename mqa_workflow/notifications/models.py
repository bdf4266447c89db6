"""Notices: the in-app inbox, the delivery of each notice per channel, and sent-once keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mqa_workflow.clock import now
from mqa_workflow.db import Base, StrEnumType


class Notification(Base):
    """One notice to one person; the row is also their in-app inbox entry (read/unread)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event: Mapped[str] = mapped_column(String(60))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(5), default="zh", server_default="zh")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # plain text, derived from the HTML
    html: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    read_at: Mapped[datetime | None]

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="notification")


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (retrying when attempts > 0)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt: an operator must look


class Delivery(Base):
    """A notice's journey through one channel: never lost, failures kept for operators."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, length=20))
    status: Mapped[DeliveryStatus] = mapped_column(
        StrEnumType(DeliveryStatus, length=20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")


class SentNotice(Base):
    """A notice that must go out once only (a reminder, an escalation, an assignment notice).

    The key is inserted in the same transaction as the notifications it stands
    for: a second scan (another beat, a redelivered task) fails on the primary
    key and sends nothing.
    """

    __tablename__ = "sent_notices"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    event: Mapped[str] = mapped_column(String(60))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=now)
