"""Records as JSON-ready dicts: what each client sees of them (no decisions made here)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applications.models import Application, ApplicationState, Document
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.committee.models import CommitteeDecision
from mqa_workflow.committee.service import committee_title
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.notifications.models import Notification
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ScoreSheet, SiteVisit
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.web import access


def when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "email": user.email, "roles": list(user.roles),
            "organization_id": user.organization_id, "language": user.language}


def cycle_json(cycle: AwardCycle) -> dict[str, Any]:
    return {"id": cycle.id, "year": cycle.year, "name": cycle.name,
            "classes": list(cycle.classes), "deadlines": dict(cycle.deadlines),
            "rules": dict(cycle.rules_data),
            "results_released_at": when(cycle.results_released_at)}


def organization_json(organization: Organization) -> dict[str, Any]:
    return {"id": organization.id, "name": organization.name, "uscc": organization.uscc,
            "industry": organization.industry, "district": organization.district,
            "parent_uscc": organization.parent_uscc, "contacts": list(organization.contacts)}


def document_json(document: Document) -> dict[str, Any]:
    return {"id": document.id, "filename": document.filename,
            "content_type": document.content_type, "size": document.size,
            "sha256": document.sha256, "uploaded_at": when(document.uploaded_at)}


def decided_award(session: Session, application: Application) -> str | None:
    """The committee's decision as frozen when taken (grand, encouragement or none)."""
    decision = session.get(CommitteeDecision, application.id)
    return decision.outcome if decision is not None else None


def application_json(session: Session, viewer: User, application: Application
                     ) -> dict[str, Any]:
    """Everything for those who see the materials; title, state and results for the rest
    (a committee member sees the applicant blinded when the cycle says so)."""
    state = ApplicationState(application.state)
    data: dict[str, Any] = {
        "id": application.id, "cycle_id": application.cycle_id,
        "award_class": application.award_class, "state": state.value,
        "state_label": state.label, "version": application.version,
        "decided_award": decided_award(session, application),
    }
    if not access.full_materials(session, viewer, application):
        data["title"] = committee_title(session, viewer, application)
        return data
    data |= {
        "title": application.title, "organization_id": application.organization_id,
        "project": application.project.name if application.project else None,
        "profile": application.profile, "answers": application.answer_texts(),
        "documents": [document_json(d) for d in application.documents],
        "correction_due_at": when(application.correction_due_at),
    }
    return data


def history_json(viewer: User, records: list[AuditRecord]) -> list[dict[str, Any]]:
    """The history as ``viewer`` may see it (an applicant: no actors, no internal data)."""
    return [row | {"at": when(row["at"])} for row in access.history_for(viewer, records)]


def assignment_json(assignment: ReviewAssignment) -> dict[str, Any]:
    return {"id": assignment.id, "application_id": assignment.application_id,
            "reviewer_id": assignment.reviewer_id, "reviewer": assignment.reviewer.name,
            "stage": assignment.stage, "is_leader": assignment.is_leader,
            "status": assignment.status, "status_reason": assignment.status_reason,
            "due_at": when(assignment.due_at)}


def sheet_json(sheet: ScoreSheet | None) -> dict[str, Any]:
    if sheet is None:
        return {"status": "empty", "percentages": {}, "comments": {}, "submitted_at": None}
    return {"status": sheet.status, "percentages": dict(sheet.percentages),
            "comments": dict(sheet.comments), "submitted_at": when(sheet.submitted_at)}


def consensus_json(sheet: ConsensusSheet | None) -> dict[str, Any] | None:
    if sheet is None:
        return None
    return {"stage": sheet.stage, "percentages": dict(sheet.percentages),
            "flagged": dict(sheet.flagged), "total": number(sheet.total),
            "recorded_by": sheet.recorded_by, "recorded_at": when(sheet.recorded_at)}


def visit_json(visit: SiteVisit | None) -> dict[str, Any] | None:
    if visit is None:
        return None
    return {"scheduled_on": when(visit.scheduled_on),
            "issues_to_verify": list(visit.issues_to_verify),
            "findings": [dict(f) for f in visit.findings], "report": visit.report,
            "reported_by": visit.reported_by, "reported_at": when(visit.reported_at)}


def score_json(score: ConsolidatedScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"total": number(score.total), "rank": score.rank,
            "document_review_total": number(score.document_review_total),
            "site_visit_total": number(score.site_visit_total),
            "categories": dict(score.breakdown.get("categories", {})),
            "process": score.breakdown.get("process"),
            "results": score.breakdown.get("results"), "weights": dict(score.weights)}


def notification_json(notice: Notification, with_body: bool = False) -> dict[str, Any]:
    data = {"id": notice.id, "event": notice.event, "subject": notice.subject,
            "application_id": notice.application_id, "created_at": when(notice.created_at),
            "read": notice.read_at is not None}
    if with_body:
        data["body"] = notice.body
    return data
