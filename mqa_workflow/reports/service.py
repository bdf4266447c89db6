"""Feedback reports (反馈报告) for every applicant that got past eligibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.committee.models import OUTCOME_LABELS, CommitteeDecision
from mqa_workflow.config import get_settings
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.reviews.models import (
    ConsensusSheet,
    ReviewAssignment,
    ScoreSheet,
    SheetStatus,
    SiteVisit,
)
from mqa_workflow.reviews.site_visits import findings_shown
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.scoring.points import points
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.sheet import json_number, score_sheet

STAGE_TITLES = {"document_review": "材料评审共识评分", "defence": "集中答辩共识评分",
                "site_visit": "现场评审共识评分"}
FEEDBACK_READY = "reports.feedback_ready"  # tells an applicant, once results are released
# No review took place (the path ended before document review, or was withdrawn): no
# feedback report.
NO_FEEDBACK_STATES = frozenset({
    ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.ELIGIBILITY_CHECK,
    ApplicationState.RETURNED_FOR_CORRECTION, ApplicationState.INELIGIBLE,
    ApplicationState.WITHDRAWN})
_environment = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    undefined=StrictUndefined, autoescape=select_autoescape(["html"]),
)
_environment.filters["points"] = points


def feedback_context(session: Session, application: Application) -> dict[str, Any]:
    standard = load_standard(application.award_class)
    stages = []
    for sheet in session.scalars(select(ConsensusSheet).where(
            ConsensusSheet.application_id == application.id).order_by(ConsensusSheet.id)):
        breakdown = score_sheet(standard, sheet.percentages,
                                application.cycle.rules.percentage_steps.get(
                                    application.award_class))
        rows = [{"code": s.item.code, "name": s.item.name, "points": s.item.points,
                 "percentage": s.percentage, "band": s.band.label,
                 "score": json_number(s.points)} for s in breakdown.items.values()]
        stages.append({"title": STAGE_TITLES[sheet.stage], "rows": rows,
                       "total": json_number(breakdown.total)})
    return {"application": application, "cycle": application.cycle, "standard": standard,
            "state_label": ApplicationState(application.state).label, "stages": stages,
            "consolidated": session.get(ConsolidatedScore, application.id),
            "decision": session.get(CommitteeDecision, application.id),
            "visit": (visit := session.get(SiteVisit, application.id)),
            "findings": findings_shown(visit) if visit and visit.reported_at else [],
            "outcome_labels": OUTCOME_LABELS,
            "comments": _comments(session, application)}


def _comments(session: Session, application: Application) -> dict[str, dict[str, list[str]]]:
    collected: dict[str, dict[str, list[str]]] = {}
    sheets = session.scalars(select(ScoreSheet).join(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id,
        ScoreSheet.status == SheetStatus.SUBMITTED))
    for sheet in sheets:
        for code, notes in sorted(sheet.comments.items()):
            entry = collected.setdefault(code, {"strengths": [], "opportunities": []})
            for kind in ("strengths", "opportunities"):
                if notes.get(kind) and notes[kind] not in entry[kind]:
                    entry[kind].append(notes[kind])
    return dict(sorted(collected.items(), key=lambda kv: [int(p) for p in kv[0].split(".")]))


def render_feedback(session: Session, application: Application) -> str:
    return _environment.get_template("feedback.html").render(
        feedback_context(session, application))


def write_feedback_reports(session: Session, cycle_id: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for application in session.scalars(select(Application).where(
            Application.cycle_id == cycle_id).order_by(Application.id)):
        if application.state in NO_FEEDBACK_STATES:
            continue
        path = folder / f"feedback-{application.id}.html"
        path.write_text(render_feedback(session, application), encoding="utf-8")
        written.append(path)
    return written


def feedback_location(application_id: int) -> str:
    """Where the applicant reads the report: the web page, or the command that writes it."""
    base = get_settings().public_url.rstrip("/")
    if base:
        return f"{base}/applications/{application_id}/feedback"
    return f"mqa report feedback {application_id} --out feedback-{application_id}.html"


def announce_feedback(session: Session, application_id: int, **_: object) -> None:
    """The cycle's results are released: the application's feedback report can be read."""
    application = session.get(Application, application_id)
    if application is None or application.state in NO_FEEDBACK_STATES:
        return
    if application.cycle.results_released_at is None:
        return  # never before the release (states/release.py queues it then)
    enqueue(session, "notifications.feedback_report_ready",
            {"application_id": application_id, "location": feedback_location(application_id)},
            f"feedback-ready:{application_id}")
