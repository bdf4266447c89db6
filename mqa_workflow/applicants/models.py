"""Applicants (申报主体): organizations and, for the five non-economic classes, projects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    industry: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100))
    # Parent company's USCC, when it has one; subsidiaries point here the same way.
    parent_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=now)

    projects: Mapped[list[Project]] = relationship(back_populates="organization")


class Project(Base):
    """A project (项目) entered for a non-economic class by the organization that owns it."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    organization: Mapped[Organization] = relationship(back_populates="projects")
