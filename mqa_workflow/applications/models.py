"""Applications (申报): what an applicant enters for one class of one cycle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mqa_workflow.applicants.models import Organization, Project
from mqa_workflow.applications.vocabulary import STATE_LABELS as STATE_LABELS
from mqa_workflow.applications.vocabulary import ApplicationState
from mqa_workflow.clock import now
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Base, StrEnumType


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("cycle_id", "award_class", "organization_id", "project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycles.id"), index=True)
    award_class: Mapped[str] = mapped_column(String(20), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    state: Mapped[ApplicationState] = mapped_column(
        StrEnumType(ApplicationState, length=40), index=True, default=ApplicationState.DRAFT)
    # Optimistic locking: every UPDATE checks and bumps it, so of two admins
    # advancing the same application at once exactly one wins.
    version: Mapped[int] = mapped_column(default=1)
    profile: Mapped[str] = mapped_column(Text, default="")  # 组织概述
    correction_due_at: Mapped[datetime | None]
    decided_award: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    cycle: Mapped[AwardCycle] = relationship()
    organization: Mapped[Organization] = relationship()
    project: Mapped[Project | None] = relationship()
    answers: Mapped[list[ItemAnswer]] = relationship(
        back_populates="application", order_by="ItemAnswer.item_code"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="application")

    __mapper_args__ = {"version_id_col": version}

    @property
    def title(self) -> str:
        name = self.organization.name
        return f"{name} · {self.project.name}" if self.project else name

    def answer_texts(self) -> dict[str, str]:
        return {answer.item_code: answer.text for answer in self.answers}


class ItemAnswer(Base):
    """The written answer for one scored item of the application's standard."""

    __tablename__ = "item_answers"
    __table_args__ = (UniqueConstraint("application_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    item_code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    application: Mapped[Application] = relationship(back_populates="answers")


class DocumentBlob(Base):
    """Document content, stored once per content hash however often it is attached."""

    __tablename__ = "document_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(ForeignKey("document_blobs.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    application: Mapped[Application] = relationship(back_populates="documents")
