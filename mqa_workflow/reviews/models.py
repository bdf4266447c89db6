"""Review assignments: which reviewer reviews which application at which stage."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import now
from mqa_workflow.db import Base, StrEnumType


class ReviewStage(StrEnum):
    DOCUMENT_REVIEW = "document_review"
    DEFENCE = "defence"  # 集中答辩 panel
    SITE_VISIT = "site_visit"


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"
    SUBMITTED = "submitted"  # the reviewer's score sheet is in
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # e.g. a conflict of interest found after assignment

    @property
    def active(self) -> bool:
        return self in ACTIVE_ASSIGNMENT_STATUSES


# Assignments that still count: the reviewer has the application or has scored it.
ACTIVE_ASSIGNMENT_STATUSES = frozenset({AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED})


class SheetStatus(StrEnum):
    DRAFT = "draft"  # the reviewer may still change it
    SUBMITTED = "submitted"  # locked; counts towards the consensus


# The statuses that keep a reviewer on a team (for queries: ``status.in_(ACTIVE)``).
ACTIVE = (AssignmentStatus.ASSIGNED.value, AssignmentStatus.SUBMITTED.value)
REVIEW_STAGES = tuple(stage.value for stage in ReviewStage)


class ReviewAssignment(Base):
    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[ReviewStage] = mapped_column(StrEnumType(ReviewStage, length=30))
    is_leader: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AssignmentStatus] = mapped_column(
        StrEnumType(AssignmentStatus, length=20), default=AssignmentStatus.ASSIGNED)
    status_reason: Mapped[str] = mapped_column(default="")
    assigned_at: Mapped[datetime] = mapped_column(default=now)
    due_at: Mapped[datetime | None]

    reviewer: Mapped[User] = relationship()
    # Loaded with the assignment where a request needs both (the access check before a
    # score-sheet save); otherwise loaded on first use, as every relationship here.
    application: Mapped[Application] = relationship()


class ConflictOfInterest(Base):
    """A found conflict (回避): the person never reviews, opens or votes on the application."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("user_id", "application_id", "rule"),)  # reasons joined

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str]
    found_at: Mapped[datetime] = mapped_column(default=now)


class ConflictProfile(Base):
    """What the conflict rules (回避) need to know about one person — a pool reviewer or a
    committee member: employers past and present, declared relationships, consulting or
    coaching work (辅导/咨询), shareholdings, and their own industry and district."""

    __tablename__ = "conflict_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    employer_uscc: Mapped[str | None] = mapped_column(String(18))
    industry: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    # ISO dates throughout; "end" is null while it lasts.
    # [{"uscc", "name", "start", "end"}]
    employments: Mapped[list[Any]] = mapped_column(default=list)
    # [{"uscc", "kind", "note"}] — kind e.g. 亲属 (relative), 顾问
    relationships: Mapped[list[Any]] = mapped_column(default=list)
    # [{"uscc", "name", "kind" (辅导 / 咨询), "start", "end"}]
    engagements: Mapped[list[Any]] = mapped_column(default=list)
    # [{"uscc", "name", "share"}]
    shareholdings: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    user: Mapped[User] = relationship()


class NoConflictStatement(Base):
    """A reviewer's no-conflict statement (回避承诺) for one application, confirmed before
    opening it (as Baldrige examiners sign one per applicant)."""

    __tablename__ = "no_conflict_statements"
    __table_args__ = (UniqueConstraint("user_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    statement: Mapped[str]  # the exact text confirmed
    confirmed_at: Mapped[datetime] = mapped_column(default=now)


class PoolReviewer(Base):
    """A reviewer's entry in the pool (评审专家库): qualifications and capacity. What the
    conflict rules need is in the person's :class:`ConflictProfile`."""

    __tablename__ = "reviewer_pool"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    classes: Mapped[list[Any]]
    industries: Mapped[list[Any]]
    capacity: Mapped[int] = mapped_column(default=8)
    may_lead: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class ScoreSheet(Base):
    """One reviewer's percentages and comments for one assignment; locked once submitted."""

    __tablename__ = "score_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignments.id", ondelete="CASCADE"), unique=True
    )
    percentages: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {item code: {"strengths": str, "opportunities": str}}
    comments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[SheetStatus] = mapped_column(
        StrEnumType(SheetStatus, length=20), default=SheetStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}


class ConsensusSheet(Base):
    """The team's agreed percentages for one application and stage (共识评分)."""

    __tablename__ = "consensus_sheets"
    __table_args__ = (UniqueConstraint("application_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[ReviewStage] = mapped_column(StrEnumType(ReviewStage, length=30))
    percentages: Mapped[dict[str, Any]]
    # Items whose spread exceeded the threshold, with the leader's rationale.
    flagged: Mapped[dict[str, Any]] = mapped_column(default=dict)
    total: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    # The team's agreed feedback as the leader wrote it (reviews/agreed_feedback.py):
    # {"summary": str, "categories": {code: {"strengths": str, "opportunities": str}}}.
    # The feedback report shows this, never the reviewers' individual notes.
    agreed_feedback: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SiteVisit(Base):
    """A site visit (现场评审): when, what to verify, and the team's report."""

    __tablename__ = "site_visits"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    scheduled_on: Mapped[date]
    issues_to_verify: Mapped[list[Any]] = mapped_column(default=list)
    # One finding per issue to verify: {"issue", "verified": yes/no/partly, "finding"};
    # ``report`` is the team's overall summary beside them.
    findings: Mapped[list[Any]] = mapped_column(default=list)
    report: Mapped[str] = mapped_column(default="")
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime | None]
