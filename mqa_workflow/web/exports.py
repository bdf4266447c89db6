"""The cycle's results as CSV or an Excel workbook: one row per ranked application; and
the PDF download of a feedback report.

Chinese headers; the classes in the standard's order (economic first); each class's
category subtotals in their own columns (a cycle of several classes gets the columns
of every class, named with the class, blank for the others); totals to two decimals;
the outcome is the committee's decision as frozen when it was taken (blank before).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import STATE_LABELS, ApplicationState
from mqa_workflow.clock import office_time
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.reports.pdf import PDF_TYPE
from mqa_workflow.scoring.points import points
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.web.listing import results_by_class

OUTCOMES = {"grand": "大奖", "encouragement": "鼓励奖", "none": "不予授奖"}
LEADING = ("类别", "名次", "申报编号", "申报主体", "状态")
TRAILING = ("综合得分", "材料评审得分", "现场评审得分", "过程得分", "结果得分", "决定结果",
            "决定时间（北京时间）", "入围")


def _classes(session: Session, cycle_id: int) -> list[str]:
    cycle = session.get(AwardCycle, cycle_id)
    classes = list(cycle.classes) if cycle else []
    return sorted(classes, key=lambda c: CLASS_IDS.index(c) if c in CLASS_IDS else 99)


def _category_columns(classes: list[str]) -> list[tuple[str, str, str]]:
    """(class, category code, header) for each class's categories, in order."""
    columns = []
    for award_class in classes:
        standard = load_standard(award_class)
        for category in standard.categories:
            name = f"{category.code} {category.name}"
            columns.append((award_class, category.code,
                            f"{standard.award_class}·{name}" if len(classes) > 1 else name))
    return columns


def header(session: Session, cycle_id: int) -> list[str]:
    return [*LEADING, *(h for _, _, h in _category_columns(_classes(session, cycle_id))),
            *TRAILING]


def result_rows(session: Session, cycle_id: int) -> Iterator[list[Any]]:
    """One row per ranked application, in each class's ranking order; points as exact
    decimals (None where there are none yet)."""
    classes = _classes(session, cycle_id)
    columns = _category_columns(classes)
    found = results_by_class(session, cycle_id)
    for award_class in classes:
        name = load_standard(award_class).award_class
        for entry in found.get(award_class, []):
            application, score, votes = entry["application"], entry["score"], entry["tally"]
            review = entry["document_review_total"]
            breakdown = score.breakdown if score else {}
            categories = breakdown.get("categories", {})
            decided = votes if votes is not None and votes.frozen else None
            yield [name, entry["position"], application.id, application.title,
                   STATE_LABELS[ApplicationState(application.state)],
                   *(_decimal(categories.get(code)) if cls == award_class and score else None
                     for cls, code, _ in columns),
                   _decimal(score.total) if score else None, _decimal(review),
                   _decimal(score.site_visit_total) if score else None,
                   _decimal(breakdown.get("process")), _decimal(breakdown.get("results")),
                   OUTCOMES.get(decided.outcome or "", "") if decided else "",
                   office_time(decided.decided_at) if decided else "",
                   "是" if entry["shortlisted"] else "否"]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def as_csv(session: Session, cycle_id: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header(session, cycle_id))
    for row in result_rows(session, cycle_id):
        writer.writerow(["" if v is None else points(v) if isinstance(v, Decimal) else v
                         for v in row])
    # The BOM makes Excel on Chinese Windows read the UTF-8 names correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(session: Session, cycle_id: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评审结果"
    sheet.append(header(session, cycle_id))
    for row in result_rows(session, cycle_id):
        # points as numbers rounded to two places, shown with two decimals
        sheet.append([float(points(v)) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF to download (the feedback report), named for the browser to keep."""
    return Response(pdf, media_type=PDF_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
