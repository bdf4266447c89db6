"""Feedback reports (反馈报告) for every applicant that got past eligibility."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.config import get_settings
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.reports.feedback import feedback_report
from mqa_workflow.scoring.points import points

FEEDBACK_READY = "reports.feedback_ready"  # tells an applicant, once results are released
FEEDBACK_PDF = "reports.feedback_pdf"  # renders the released report's PDF once and keeps it
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


def render_feedback(session: Session, application: Application,
                    links: Mapping[str, str] | None = None) -> str:
    """The report as one HTML document (its stylesheet inside, for screen and print);
    ``links`` are the web page's own ("pdf": 下载 PDF, "back": 返回申报), none on paper."""
    report = feedback_report(session, application)
    report.links = dict(links or {})
    return _environment.get_template("feedback.html").render(r=report)


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
    """Where the applicant reads the report: the web page (the site's own address when the
    public one is not set, so the inbox's link still opens it; an applicant has no command
    line to run)."""
    base = get_settings().public_url.rstrip("/")
    return f"{base}/applications/{application_id}/feedback"


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
