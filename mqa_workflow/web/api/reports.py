"""Feedback reports, rankings and the results export."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.reports.pdf import PDF_TYPE, feedback_pdf, pdf_name
from mqa_workflow.reports.service import render_feedback
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import Id
from mqa_workflow.web.api.schemas.applications import ApplicationRead
from mqa_workflow.web.api.schemas.committee import ResultRowRead, ResultsRead, ScoreRead
from mqa_workflow.web.api.schemas.common import media, refusals
from mqa_workflow.web.deps import DB, Admin, AdminOrCommittee, CurrentUser
from mqa_workflow.web.exports import as_csv, as_xlsx, pdf_response
from mqa_workflow.web.listing import results_by_class

router = APIRouter(tags=["reports"], responses=refusals(401, 403, 404, 422))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# response_class=Response, not HTMLResponse: FastAPI would document the refusals (JSON)
# as text/html too; the 200 is declared text/html below.
@router.get("/applications/{application_id}/feedback", response_class=Response,
            summary="The feedback report (反馈报告): the applicant and administrators",
            responses=media("text/html", description="The report as an HTML page")
            | refusals(409))
def feedback(application_id: Id, session: DB, user: CurrentUser) -> HTMLResponse:
    application = access.feedback_readable(session, user, application_id)
    return HTMLResponse(render_feedback(session, application))


@router.get("/applications/{application_id}/feedback.pdf", response_class=Response,
            summary="The feedback report as PDF (Chinese fonts embedded): the same readers",
            responses=media(PDF_TYPE, description="The report as a PDF file") | refusals(409))
def feedback_as_pdf(application_id: Id, session: DB, user: CurrentUser) -> Response:
    application = access.feedback_readable(session, user, application_id)
    return pdf_response(feedback_pdf(session, application), pdf_name(application))


@router.get("/cycles/{cycle_id}/results",
            summary="Each class's ranking and the committee's decisions",
            response_model_exclude_unset=True)  # the materials only for those who see them
def results(cycle_id: Id, session: DB, user: AdminOrCommittee) -> ResultsRead:
    cycle = get_cycle(session, cycle_id)
    classes: dict[str, list[ResultRowRead]] = {}
    for award_class, entries in results_by_class(session, cycle.id).items():
        rows = []
        for entry in entries:
            application = entry["application"]
            if not (access.is_admin(user)
                    or access.committee_may_see(session, user, application)):
                continue  # recused, or not (yet) before the committee
            votes = entry["tally"]
            rows.append(ResultRowRead(
                **ApplicationRead.fields_of(session, user, application),
                position=entry["position"], shortlisted=entry["shortlisted"],
                score=ScoreRead.of(entry["score"]),
                outcome=votes.outcome if votes else None,
                decision_frozen=bool(votes and votes.frozen)))
        if rows:
            classes[award_class] = rows
    return ResultsRead(cycle_id=cycle.id, classes=classes)


@router.get("/cycles/{cycle_id}/export", summary="The results as CSV or Excel",
            response_class=Response,
            responses=media("text/csv", XLSX, description="The results as a file"))
def export(cycle_id: Id, session: DB, _: Admin, format: Literal["csv", "xlsx"] = "csv"
           ) -> Response:
    cycle = get_cycle(session, cycle_id)
    if format == "xlsx":
        return Response(as_xlsx(session, cycle.id), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="results-{cycle.id}.xlsx"'})
    return Response(as_csv(session, cycle.id), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="results-{cycle.id}.csv"'})
