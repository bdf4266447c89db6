"""Administrator pages: the case board, case pages, bulk advance, rankings, results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import false, select

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.applications.service import count_by_state
from mqa_workflow.audit.service import history
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.reviews.assignment_service import assign_stage
from mqa_workflow.reviews.models import ReviewStage, SiteVisit
from mqa_workflow.reviews.site_visits import schedule_site_visit
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.bulk import advance_all
from mqa_workflow.states.engine import waiting_for
from mqa_workflow.states.release import release_refusals, release_results
from mqa_workflow.states.table import BY_TRIGGER, TRANSITIONS
from mqa_workflow.web import access, charts
from mqa_workflow.web.api.committee import tally_of
from mqa_workflow.web.deps import AdminSnapshot, admin_outside, database_of, wake_background
from mqa_workflow.web.listing import assignments_of, results_by_class
from mqa_workflow.web.pages.deps import AdminOrCommitteePage, AdminPage, Form, text
from mqa_workflow.web.pages.rendering import back_to, render

router = APIRouter(prefix="/admin")


@router.get("")
def cycles(request: Request, page: AdminPage) -> Response:
    found = list(page.session.scalars(select(AwardCycle).order_by(AwardCycle.id.desc())))
    return render(request, "admin/cycles.html", user=page.user, csrf=page.csrf, cycles=found)


@router.get("/cycles/{cycle_id}")
def board(cycle_id: int, request: Request, page: AdminPage, award_class: str = "",
          state: str = "") -> Response:
    cycle = get_cycle(page.session, cycle_id)
    counts = count_by_state(page.session, cycle.id)
    query = select(Application).where(Application.cycle_id == cycle.id).order_by(Application.id)
    if award_class:
        query = query.where(Application.award_class == award_class)
    if state:
        known = ApplicationState.named(state)
        query = query.where(Application.state == known if known else false())
    used = [s for s in ApplicationState if any(counts.get((c, s.value)) for c in cycle.classes)]
    return render(request, "admin/board.html", user=page.user, csrf=page.csrf, cycle=cycle,
                  counts=counts, states=used, cases=list(page.session.scalars(query)),
                  award_class=award_class, state=state, triggers=TRANSITIONS, report=None,
                  release_refusals=release_refusals(page.session, cycle))


@router.post("/cycles/{cycle_id}/release-results")
def release(cycle_id: int, page: AdminPage) -> Response:
    release_results(page.session, get_cycle(page.session, cycle_id), page.user)
    return back_to(f"/admin/cycles/{cycle_id}#release")


@router.post("/cycles/{cycle_id}/bulk")
def bulk(cycle_id: int, request: Request, form: Form,
         admin: Annotated[AdminSnapshot, Depends(admin_outside)]) -> Response:
    # Each application moves in its own transaction, so this view holds none of its own
    # while the bulk run works (SQLite lets one writer at a time).
    database = database_of(request)
    dry_run = text(form, "dry_run") == "on"
    with database.session() as session:
        cycle = get_cycle(session, cycle_id)
    report = advance_all(database, cycle_id=cycle.id, award_class=text(form, "award_class")
                         or None, trigger=text(form, "trigger"), actor_ref=str(admin.user_id),
                         reason=text(form, "reason"), dry_run=dry_run)
    if not dry_run:
        wake_background(request)
    with database.session() as session:
        user = session.get(User, admin.user_id)
    return render(request, "admin/bulk.html", user=user, csrf=admin.csrf_token, cycle=cycle,
                  report=report, label=BY_TRIGGER[report.trigger].label)


@router.get("/cases/{application_id}")
def case(application_id: int, request: Request, page: AdminPage) -> Response:
    application = access.readable(page.session, page.user, application_id)
    return render(request, "admin/case.html", user=page.user, csrf=page.csrf,
                  application=application, history=history(page.session, application.id),
                  waiting=waiting_for(page.session, application, page.user),
                  specs=BY_TRIGGER, assignments=assignments_of(
                      page.session, application_id=application.id),
                  visit=page.session.get(SiteVisit, application.id),
                  score=page.session.get(ConsolidatedScore, application.id),
                  tally=tally_of(page.session, application))


@router.post("/cases/{application_id}/assign")
def assign(application_id: int, page: AdminPage, form: Form) -> Response:
    access.readable(page.session, page.user, application_id)
    assign_stage(page.session, [application_id], ReviewStage(text(form, "stage")))
    return back_to(f"/admin/cases/{application_id}")


@router.post("/cases/{application_id}/site-visit")
def schedule(application_id: int, page: AdminPage, form: Form) -> Response:
    from datetime import date

    from mqa_workflow.errors import InvalidInputError

    application = access.readable(page.session, page.user, application_id)
    try:
        day = date.fromisoformat(text(form, "scheduled_on"))
    except ValueError:
        raise InvalidInputError("write the date as YYYY-MM-DD") from None
    issues = text(form, "issues").splitlines()
    schedule_site_visit(page.session, application, day, issues)
    return back_to(f"/admin/cases/{application_id}")


@router.get("/cycles/{cycle_id}/results")
def results(cycle_id: int, request: Request, page: AdminOrCommitteePage) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    by_class = {}
    for award_class, entries in results_by_class(page.session, cycle.id).items():
        standard = load_standard(award_class)
        shown = [e for e in entries if access.is_admin(page.user)
                 or access.committee_may_see(page.session, page.user, e["application"])]
        if not shown:
            continue
        for entry in shown:
            if entry["score"] is None:
                continue  # not consolidated (yet): no category profile to draw
            points = entry["score"].breakdown.get("categories", {})
            entry["radar"] = charts.radar([(c.code, float(points.get(c.code, 0)), c.points)
                                           for c in standard.categories])
            entry["polygon"] = charts.polygon(entry["radar"])
        by_class[award_class] = {
            "entries": shown, "standard": standard,
            "bars": charts.distribution([float(e["score"].total) for e in shown
                                         if e["score"] is not None])}
    return render(request, "admin/results.html", user=page.user, csrf=page.csrf, cycle=cycle,
                  by_class=by_class, admin=access.is_admin(page.user))
