"""Consolidated scores: each application's final score against its own standard."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class ConsolidatedScore(Base):
    __tablename__ = "consolidated_scores"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    total: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    document_review_total: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    site_visit_total: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    # Item and category points and bands, as ScoreBreakdown.to_json gives them.
    breakdown: Mapped[dict[str, Any]]
    weights: Mapped[dict[str, Any]]
    rank: Mapped[int | None]
    computed_at: Mapped[datetime] = mapped_column(default=now)
