"""Reviewers' work as the API shows it: assignments, score sheets, consensus, site visits."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mqa_workflow.reviews.agreed_feedback import agreed_of
from mqa_workflow.reviews.assignment import AssignmentResult
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ScoreSheet, SiteVisit
from mqa_workflow.web.api.schemas.common import Day, Moment, Read, number, when


class AssignmentRead(Read):
    id: int
    application_id: int
    reviewer_id: int
    reviewer: str
    stage: str
    is_leader: bool
    status: str
    status_reason: str | None
    due_at: Moment | None

    @classmethod
    def fields_of(cls, assignment: ReviewAssignment) -> dict[str, Any]:
        return {"id": assignment.id, "application_id": assignment.application_id,
                "reviewer_id": assignment.reviewer_id, "reviewer": assignment.reviewer.name,
                "stage": assignment.stage, "is_leader": assignment.is_leader,
                "status": assignment.status, "status_reason": assignment.status_reason,
                "due_at": when(assignment.due_at)}


class AssignmentListedRead(AssignmentRead):
    sheet_status: str = Field(description="empty, draft or submitted")


class SheetRead(Read):
    status: str = Field(description="empty (nothing saved yet), draft or submitted")
    percentages: dict[str, int]
    comments: dict[str, dict[str, str]] = Field(
        description="item code → strengths and opportunities")
    submitted_at: Moment | None

    @classmethod
    def of(cls, sheet: ScoreSheet | None) -> SheetRead:
        if sheet is None:
            return cls(status="empty", percentages={}, comments={}, submitted_at=None)
        return cls(status=sheet.status, percentages=dict(sheet.percentages),
                   comments=dict(sheet.comments), submitted_at=when(sheet.submitted_at))


class AssignmentSheetRead(AssignmentRead):
    sheet: SheetRead


class TeamMemberRead(Read):
    reviewer_id: int
    is_leader: bool


class AssignedRead(Read):
    assigned: list[TeamMemberRead]
    uncovered: list[str] = Field(description="Why a place on the team stays empty")

    @classmethod
    def of(cls, result: AssignmentResult) -> AssignedRead:
        return cls(assigned=[TeamMemberRead(reviewer_id=a.reviewer_id, is_leader=a.is_leader)
                             for a in result.assignments],
                   uncovered=[u.reason for u in result.uncovered])


class ReplacementsRead(Read):
    replacements: list[int] = Field(description="The reviewers assigned in your place")
    uncovered: list[str]

    @classmethod
    def fields_of(cls, result: AssignmentResult | None) -> dict[str, Any]:
        return {"replacements": [a.reviewer_id for a in result.assignments] if result else [],
                "uncovered": [u.reason for u in result.uncovered] if result else []}


class ConsensusRead(Read):
    stage: str
    percentages: dict[str, int]
    flagged: dict[str, Any] = Field(
        description="Items whose spread exceeded the threshold, with the leader's rationale")
    total: float | None
    recorded_by: int
    recorded_at: Moment | None
    agreed_feedback: dict[str, Any] = Field(
        description="The team's agreed summary, strengths and opportunities per category "
                    "(what the feedback report shows)")

    @classmethod
    def of(cls, sheet: ConsensusSheet) -> ConsensusRead:
        return cls(stage=sheet.stage, percentages=dict(sheet.percentages),
                   flagged=dict(sheet.flagged), total=number(sheet.total),
                   recorded_by=sheet.recorded_by, recorded_at=when(sheet.recorded_at),
                   agreed_feedback=agreed_of(sheet))


class SpreadRead(Read):
    values: list[int]
    spread: int
    flagged: bool


class ConsensusViewRead(Read):
    """The team's progress always; the percentages only once you may see them."""

    submitted: int
    team: int
    visible: bool
    items: dict[str, SpreadRead] | None
    consensus: ConsensusRead | None


class FindingRead(Read):
    issue: str
    verified: Literal["yes", "partly", "no"]
    finding: str


class VisitRead(Read):
    scheduled_on: Day | None
    issues_to_verify: list[str]
    findings: list[FindingRead]
    report: str
    reported_by: int | None
    reported_at: Moment | None

    @classmethod
    def of(cls, visit: SiteVisit) -> VisitRead:
        return cls(scheduled_on=when(visit.scheduled_on),
                   issues_to_verify=list(visit.issues_to_verify),
                   findings=[FindingRead(**f) for f in visit.findings], report=visit.report,
                   reported_by=visit.reported_by, reported_at=when(visit.reported_at))
