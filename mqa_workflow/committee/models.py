"""Committee votes (评审委员会表决) on the applications referred to it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class VoteChoice(StrEnum):
    GRAND = "grand"  # 大奖
    ENCOURAGEMENT = "encouragement"  # 鼓励奖
    NONE = "none"  # 不予授奖


class CommitteeVote(Base):
    __tablename__ = "committee_votes"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    choice: Mapped[str] = mapped_column(String(20))
    cast_at: Mapped[datetime] = mapped_column(default=now)
