"""The demo's mark on a database it created, so it never touches one it did not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class DemoMarker(Base):
    """One row, written by ``mqa demo`` right after it created the database. A real
    office's database never has it; the demo refuses any database without it."""

    __tablename__ = "demo_marker"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
