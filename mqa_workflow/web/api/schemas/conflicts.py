"""Conflicts of interest (回避) as the API shows them: declarations, the no-conflict
statement, conflict profiles and their import."""

from __future__ import annotations

from pydantic import Field

from mqa_workflow.reviews.profiles import ProfileData
from mqa_workflow.web.api.schemas.common import Moment, Read
from mqa_workflow.web.api.schemas.reviews import ReplacementsRead

Record = dict[str, str | None]


class DeclarationRead(ReplacementsRead):
    declared: bool
    application_id: int


class StatementRead(Read):
    statement: str
    confirmed_at: Moment | None = Field(description="null until you confirm it")


class ConflictProfileRead(Read):
    employer_uscc: str | None
    industry: str | None
    district: str | None
    employments: list[Record]
    relationships: list[Record]
    engagements: list[Record]
    shareholdings: list[Record]

    @classmethod
    def of(cls, profile: ProfileData) -> ConflictProfileRead:
        return cls.model_validate(profile.as_dict())


class ImportedRead(Read):
    people: int
    records: int
