"""Cycles, organizations, applications with their documents and history, and the state
machine's answers, as the API shows them (no decisions made here)."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applications.models import Application, Document
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.committee.models import CommitteeDecision
from mqa_workflow.committee.service import committee_title
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.states.table import ApplicationState
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas.common import Moment, Read, when

MATERIALS = "Only for those who see the materials (the applicant's contacts, administrators, " \
            "reviewers assigned to it); absent for the rest."


class CycleRead(Read):
    id: int
    year: int
    name: str
    classes: list[str]
    deadlines: dict[str, Any]
    rules: dict[str, Any]
    results_released_at: Moment | None

    @classmethod
    def of(cls, cycle: AwardCycle) -> CycleRead:
        return cls(id=cycle.id, year=cycle.year, name=cycle.name, classes=list(cycle.classes),
                   deadlines=dict(cycle.deadlines), rules=dict(cycle.rules_data),
                   results_released_at=when(cycle.results_released_at))


class BoardRead(Read):
    cycle: CycleRead
    states: list[str]
    counts: dict[str, dict[str, int]] = Field(description="class → state → applications")


class ReleaseRead(Read):
    cycle: CycleRead
    feedback_reports_announced: int


class OrganizationRead(Read):
    id: int
    name: str
    uscc: str
    industry: str
    district: str
    parent_uscc: str | None
    contacts: list[dict[str, Any]]

    @classmethod
    def of(cls, organization: Organization) -> OrganizationRead:
        return cls(id=organization.id, name=organization.name, uscc=organization.uscc,
                   industry=organization.industry, district=organization.district,
                   parent_uscc=organization.parent_uscc, contacts=list(organization.contacts))


class DocumentRead(Read):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: Moment | None

    @classmethod
    def of(cls, document: Document) -> DocumentRead:
        return cls(id=document.id, filename=document.filename,
                   content_type=document.content_type, size=document.size,
                   sha256=document.sha256, uploaded_at=when(document.uploaded_at))


class ApplicationRead(Read):
    """Everything for those who see the materials; title, state and results for the rest.

    The materials' fields are left out (not null) for the rest: routes answering it
    serialize with ``response_model_exclude_unset``.
    """

    id: int
    cycle_id: int
    award_class: str
    state: str
    state_label: str
    version: int
    decided_award: str | None = Field(
        description="The committee's decision as frozen when taken (grand, encouragement, "
                    "none); null before.")
    title: str = Field(description="The applicant's title (blinded for a committee member "
                                   "when the cycle says so).")
    organization_id: int | None = Field(default=None, description=MATERIALS)
    project: str | None = Field(default=None, description=MATERIALS)
    profile: str | None = Field(default=None, description=MATERIALS)
    answers: dict[str, str] | None = Field(default=None, description=MATERIALS)
    documents: list[DocumentRead] | None = Field(default=None, description=MATERIALS)
    correction_due_at: Moment | None = Field(default=None, description=MATERIALS)

    @classmethod
    def fields_of(cls, session: Session, viewer: User, application: Application
                  ) -> dict[str, Any]:
        """The fields ``viewer`` may see (a committee member sees the applicant blinded
        when the cycle says so); the keys left out stay unset."""
        state = ApplicationState(application.state)
        decision = session.get(CommitteeDecision, application.id)
        data: dict[str, Any] = {
            "id": application.id, "cycle_id": application.cycle_id,
            "award_class": application.award_class, "state": state.value,
            "state_label": state.label, "version": application.version,
            "decided_award": decision.outcome if decision is not None else None,
        }
        if not access.full_materials(session, viewer, application):
            return data | {"title": committee_title(session, viewer, application)}
        return data | {
            "title": application.title, "organization_id": application.organization_id,
            "project": application.project.name if application.project else None,
            "profile": application.profile, "answers": application.answer_texts(),
            "documents": [DocumentRead.of(d) for d in application.documents],
            "correction_due_at": when(application.correction_due_at),
        }

    @classmethod
    def of(cls, session: Session, viewer: User, application: Application) -> ApplicationRead:
        return cls(**cls.fields_of(session, viewer, application))


class HistoryEntryRead(Read):
    """One record of the audit chain (an applicant: no actors, no internal data)."""

    seq: int
    at: Moment | None
    actor: str
    trigger: str
    from_state: str | None
    to_state: str | None
    reason: str
    data: dict[str, Any]

    @classmethod
    def list_for(cls, viewer: User, records: list[AuditRecord]) -> list[HistoryEntryRead]:
        return [cls.model_validate(row | {"at": when(row["at"])})  # the moment as text
                for row in access.history_for(viewer, records)]


class StepRead(Read):
    """What one transition did."""

    application_id: int
    trigger: str
    from_state: str
    to_state: str
    audit_seq: int
    tasks: list[str]


class TransitionRead(Read):
    transition: StepRead
    application: ApplicationRead


class BulkRead(Read):
    trigger: str
    dry_run: bool
    moved: list[int]
    refused: dict[str, list[str]] = Field(description="application id → its problems")
