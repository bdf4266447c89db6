"""The audit trail: append-only, one authenticated hash chain per application.

Every record carries its place in its application's chain (``chain_seq``), the hash
of the record before it there and an HMAC of its own content with that link (see
``service``), so altering, deleting or reordering any record breaks its chain at that
point. The migrations also install triggers refusing UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.db import Base


class AuditRecord(Base):
    __tablename__ = "audit_records"
    # Two writers that raced for the same place in a chain cannot both commit.
    __table_args__ = (UniqueConstraint("application_id", "chain_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The reading order over every chain (gaps allowed: a sequence on PostgreSQL).
    seq: Mapped[int] = mapped_column(unique=True)
    chain_seq: Mapped[int]
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT"), index=True
    )
    actor: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime]
    trigger: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
