"""The feedback report as PDF: the same HTML and its print stylesheet, laid out by
WeasyPrint (Pango draws the text, so the Chinese takes a CJK font from fontconfig:
Debian's fonts-wqy-zenhei, which .ci/run installs; the font is embedded, subset, in the
file, so the PDF reads the same on a machine without it).

Laying it out takes seconds, so once the cycle's results are released (the decision is
frozen, the report with it) the PDF is rendered once, in the background, and kept
(:class:`~mqa_workflow.reports.models.FeedbackPdf`); readers get the kept file. Before the
release only the office reads the report, a preview of an open decision: rendered each
time, never kept."""

from __future__ import annotations

import hashlib
import time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from weasyprint import HTML

from mqa_workflow.applications.models import Application, DocumentBlob
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import now
from mqa_workflow.reports.models import FeedbackPdf
from mqa_workflow.reports.service import render_feedback

PDF_TYPE = "application/pdf"
KEEP_TRIGGER = "keep_feedback_pdf"


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def feedback_pdf(session: Session, application: Application) -> bytes:
    """The report as PDF: the kept file once the results are released (rendered and kept
    now if it is missing, e.g. results released before reports were kept)."""
    if application.cycle.results_released_at is None:
        return html_to_pdf(render_feedback(session, application))
    kept = kept_feedback_pdf(session, application.id)
    return kept if kept is not None else keep_feedback_pdf(session, application)


def kept_feedback_pdf(session: Session, application_id: int) -> bytes | None:
    row = session.get(FeedbackPdf, application_id)
    if row is None:
        return None
    blob = session.get(DocumentBlob, row.sha256)
    return blob.data if blob is not None else None


def keep_feedback_pdf(session: Session, application: Application,
                      actor: str = "system") -> bytes:
    """Render the released report once and keep it; its hash goes into the audit chain,
    so the file an applicant downloads can be checked against what was released."""
    started = time.perf_counter()
    data = html_to_pdf(render_feedback(session, application))
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    digest = hashlib.sha256(data).hexdigest()
    try:
        with session.begin_nested():  # two first readers at once: the second keeps the first's
            if session.get(DocumentBlob, digest) is None:
                session.add(DocumentBlob(sha256=digest, size=len(data), data=data))
            row = session.get(FeedbackPdf, application.id)
            if row is None:
                row = FeedbackPdf(application_id=application.id)
                session.add(row)
            row.sha256, row.size, row.render_ms = digest, len(data), elapsed_ms
            row.rendered_at = now()
            session.flush()
    except IntegrityError:
        return kept_feedback_pdf(session, application.id) or data
    # Not on the application's own chain: its history is what the applicant reads.
    audit.append(session, actor=actor, trigger=KEEP_TRIGGER,
                 reason="反馈报告 PDF 已生成并保存",
                 data={"application_id": application.id, "sha256": digest,
                       "size": len(data), "render_ms": elapsed_ms})
    return data


def keep_released_pdf(session: Session, application_id: int) -> None:
    """The background task at the release: keep the report unless it is kept already
    (a redelivered task, or a reader who asked first)."""
    application = session.get(Application, application_id)
    if (application is None or application.cycle.results_released_at is None
            or session.get(FeedbackPdf, application_id) is not None):
        return
    keep_feedback_pdf(session, application)


def pdf_name(application: Application) -> str:
    return f"feedback-{application.id}.pdf"
