"""Feedback reports, rankings and the results export."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import ConflictError
from mqa_workflow.reports.service import NO_FEEDBACK_STATES, render_feedback
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import Id
from mqa_workflow.web.deps import DB, Admin, AdminOrCommittee, CurrentUser
from mqa_workflow.web.exports import as_csv, as_xlsx
from mqa_workflow.web.listing import results_by_class
from mqa_workflow.web.present import application_json, score_json

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/applications/{application_id}/feedback", response_class=HTMLResponse,
            summary="The feedback report (反馈报告): the applicant and administrators")
def feedback(application_id: Id, session: DB, user: CurrentUser) -> HTMLResponse:
    application = access.editable(session, user, application_id)
    access.refuse_unless_released(user, application)
    if application.state in NO_FEEDBACK_STATES:
        raise ConflictError(f"application {application_id} is {application.state}; "
                            "feedback comes after document review")
    return HTMLResponse(render_feedback(session, application))


@router.get("/cycles/{cycle_id}/results",
            summary="Each class's ranking and the committee's decisions")
def results(cycle_id: Id, session: DB, user: AdminOrCommittee) -> dict[str, Any]:
    cycle = get_cycle(session, cycle_id)
    classes = {}
    for award_class, entries in results_by_class(session, cycle.id).items():
        rows = []
        for entry in entries:
            application = entry["application"]
            if not (access.is_admin(user)
                    or access.committee_may_see(session, user, application)):
                continue  # recused, or not (yet) before the committee
            votes = entry["tally"]
            rows.append(application_json(session, user, application)
                        | {"position": entry["position"], "shortlisted": entry["shortlisted"],
                           "score": score_json(entry["score"]),
                           "outcome": votes.outcome if votes else None,
                           "decision_frozen": bool(votes and votes.frozen)})
        if rows:
            classes[award_class] = rows
    return {"cycle_id": cycle.id, "classes": classes}


@router.get("/cycles/{cycle_id}/export", summary="The results as CSV or Excel",
            response_class=Response)
def export(cycle_id: Id, session: DB, _: Admin, format: Literal["csv", "xlsx"] = "csv"
           ) -> Response:
    cycle = get_cycle(session, cycle_id)
    if format == "xlsx":
        return Response(as_xlsx(session, cycle.id), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="results-{cycle.id}.xlsx"'})
    return Response(as_csv(session, cycle.id), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="results-{cycle.id}.csv"'})
