"""The Shenzhen procedure's extra stages (市长质量奖评审管理规范): eligibility review,
defence (集中答辩), social evaluation (社会评价), the candidate list (差额选拔) and the
public notice (公示) with its objections (异议)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base, StrEnumType


class ObjectionStatus(StrEnum):
    OPEN = "open"  # filed, not yet resolved: the notice cannot close clear
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class EligibilityReview(Base):
    """The automatic eligibility check with its evidence, and the administrator's decision."""

    __tablename__ = "eligibility_reviews"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    facts: Mapped[dict[str, Any]]
    report: Mapped[dict[str, Any]]  # every rule: outcome and evidence
    passed: Mapped[bool | None]  # None: a fact is missing
    override_reason: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(default=now)


class DefenceSlot(Base):
    """A presentation slot of the defence (集中答辩) for one application."""

    __tablename__ = "defence_slots"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(default=30)
    room: Mapped[str] = mapped_column(String(100), default="")


class SocialEvaluation(Base):
    """Public-satisfaction or survey result (社会评价), a scored input to consolidation."""

    __tablename__ = "social_evaluations"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    satisfaction: Mapped[Decimal] = mapped_column(Numeric(6, 3))  # percentage 0–100
    respondents: Mapped[int]
    method: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=now)


class CandidateDecision(Base):
    """The candidate list (差额选拔): in or out, and why."""

    __tablename__ = "candidate_decisions"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    selected: Mapped[bool]
    position: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=now)


class PublicNotice(Base):
    """The 公示 of one proposed award: open from publication to the close date."""

    __tablename__ = "public_notices"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    proposed_award: Mapped[str] = mapped_column(String(20))
    published_on: Mapped[date]
    closes_on: Mapped[date]


class Objection(Base):
    """An objection (异议) filed during the notice, with evidence, and its resolution."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    filed_on: Mapped[date]
    filed_by: Mapped[str] = mapped_column(String(200))
    grounds: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]]
    status: Mapped[ObjectionStatus] = mapped_column(
        StrEnumType(ObjectionStatus, length=20), default=ObjectionStatus.OPEN)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
