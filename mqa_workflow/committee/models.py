"""Committee votes (评审委员会表决) on the applications referred to it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base, StrEnumType


class VoteChoice(StrEnum):
    GRAND = "grand"  # 大奖
    ENCOURAGEMENT = "encouragement"  # 鼓励奖
    NONE = "none"  # 不予授奖


OUTCOME_LABELS: dict[str, str] = {VoteChoice.GRAND: "授予大奖",
                                  VoteChoice.ENCOURAGEMENT: "授予鼓励奖",
                                  VoteChoice.NONE: "不予授奖"}


class CommitteeVote(Base):
    __tablename__ = "committee_votes"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    choice: Mapped[VoteChoice] = mapped_column(StrEnumType(VoteChoice, length=20))
    cast_at: Mapped[datetime] = mapped_column(default=now)


class CommitteeDecision(Base):
    """The committee's decision (评审委员会决定) on one application, frozen when taken.

    Written once, by the transition that takes it (award, announce or decline), with the
    tally as it stood then; never updated (the database refuses UPDATE and DELETE). Every
    page, export, notice and report shows this row, never a fresh tally."""

    __tablename__ = "committee_decisions"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id"), primary_key=True)
    outcome: Mapped[VoteChoice] = mapped_column(StrEnumType(VoteChoice, length=20))
    trigger: Mapped[str] = mapped_column(String(60))
    eligible: Mapped[int]
    recused: Mapped[int]
    counts: Mapped[dict[str, Any]]
    notes: Mapped[list[Any]] = mapped_column(default=list)
    decided_by: Mapped[str] = mapped_column(String(255))  # the actor's e-mail, as in the audit
    decided_at: Mapped[datetime] = mapped_column(default=now)
