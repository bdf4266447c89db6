"""Review assignments: which reviewer reviews which application at which stage."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mqa_workflow.accounts.models import User
from mqa_workflow.clock import now
from mqa_workflow.db import Base


class ReviewStage(StrEnum):
    DOCUMENT_REVIEW = "document_review"
    SITE_VISIT = "site_visit"


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    SUBMITTED = "submitted"  # the reviewer's score sheet is in
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # e.g. a conflict of interest found after assignment

    @property
    def active(self) -> bool:
        return self in (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)


class ReviewAssignment(Base):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    is_leader: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=AssignmentStatus.ASSIGNED)
    status_reason: Mapped[str] = mapped_column(default="")
    assigned_at: Mapped[datetime] = mapped_column(default=now)
    due_at: Mapped[datetime | None]

    reviewer: Mapped[User] = relationship()


class ConflictOfInterest(Base):
    """A found conflict (回避): the person never reviews, opens or votes on the application."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("user_id", "application_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str]
    found_at: Mapped[datetime] = mapped_column(default=now)
