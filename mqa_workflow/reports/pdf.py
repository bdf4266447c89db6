"""The feedback report as PDF: the same HTML and its print stylesheet, laid out by
WeasyPrint (Pango draws the text, so the Chinese takes a CJK font from fontconfig:
Debian's fonts-wqy-zenhei, which .ci/run installs; the font is embedded, subset, in the
file, so the PDF reads the same on a machine without it)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from weasyprint import HTML

from mqa_workflow.applications.models import Application
from mqa_workflow.reports.service import render_feedback

PDF_TYPE = "application/pdf"


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def feedback_pdf(session: Session, application: Application) -> bytes:
    return html_to_pdf(render_feedback(session, application))


def pdf_name(application: Application) -> str:
    return f"feedback-{application.id}.pdf"
