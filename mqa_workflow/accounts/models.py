"""People and their roles in the award (评审专家, 评审委员会委员, 管理员 …)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    REVIEWER = "reviewer"
    COMMITTEE_MEMBER = "committee_member"
    OPERATOR = "operator"
    APPLICANT_CONTACT = "applicant_contact"


LANGUAGES = ("zh", "en")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    # An applicant contact speaks for one organization.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    # The language of the notices this person receives: "zh" (default) or "en".
    language: Mapped[str] = mapped_column(String(5), default="zh", server_default="zh")
    created_at: Mapped[datetime] = mapped_column(default=now)

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles
