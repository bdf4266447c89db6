"""The cycle's results as CSV or an Excel workbook (one row per consolidated score), and
the PDF download of a feedback report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.clock import office_time
from mqa_workflow.reports.pdf import PDF_TYPE
from mqa_workflow.web.listing import results_by_class

HEADER = ("class", "rank", "application", "applicant", "state", "total",
          "document_review_total", "site_visit_total", "process", "results", "outcome",
          "decided_at_beijing", "shortlisted")


def result_rows(session: Session, cycle_id: int) -> Iterator[tuple[Any, ...]]:
    """One row per ranked application: the class's ranking and the committee's decision
    as frozen when it was taken (blank before)."""
    for award_class, entries in results_by_class(session, cycle_id).items():
        for entry in entries:
            application, score, votes = entry["application"], entry["score"], entry["tally"]
            review = entry["document_review_total"]
            decided = votes.decided_at if votes else None
            yield (award_class, entry["position"], application.id, application.title,
                   f"{application.state} {ApplicationState(application.state).label}",
                   float(score.total) if score else None,
                   float(review) if review is not None else None,
                   float(score.site_visit_total) if score else None,
                   score.breakdown.get("process") if score else None,
                   score.breakdown.get("results") if score else None,
                   votes.outcome if votes and votes.outcome else "",
                   office_time(decided),
                   "yes" if entry["shortlisted"] else "no")


def as_csv(session: Session, cycle_id: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(result_rows(session, cycle_id))
    # The BOM makes Excel on Chinese Windows read the UTF-8 names correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(session: Session, cycle_id: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "results"
    sheet.append(HEADER)
    for row in result_rows(session, cycle_id):
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF to download (the feedback report), named for the browser to keep."""
    return Response(pdf, media_type=PDF_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
