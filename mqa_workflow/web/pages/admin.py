"""Administrator pages: the case board, case pages, bulk actions, rankings, results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.applications.service import count_by_state
from mqa_workflow.audit.service import history
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.reviews.assignment_service import assign_stage
from mqa_workflow.reviews.models import ReviewStage, SiteVisit
from mqa_workflow.reviews.site_visits import schedule_site_visit
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.bulk import advance_all
from mqa_workflow.states.offer import actions_now, in_procedure, offered
from mqa_workflow.states.release import release_refusals, release_results
from mqa_workflow.states.table import BY_TRIGGER
from mqa_workflow.web import access, charts
from mqa_workflow.web.api.committee import tally_of
from mqa_workflow.web.board import REVIEW_STAGES, BoardQuery, case_board, class_name
from mqa_workflow.web.deps import AdminSnapshot, admin_outside, database_of, wake_background
from mqa_workflow.web.listing import assignments_of, results_by_class
from mqa_workflow.web.pages.deps import AdminOrCommitteePage, AdminPage, Form, text
from mqa_workflow.web.pages.rendering import back_to, language, render
from mqa_workflow.web.phrases_shenzhen_outcome import OFFICE_ACTIONS as SHENZHEN_OUTCOME_ACTIONS
from mqa_workflow.web.phrases_shenzhen_review import OFFICE_ACTIONS as SHENZHEN_REVIEW_ACTIONS
from mqa_workflow.web.refusals import in_language

# Stage and assignment-status names as the page's text keys (web/i18n.py translates them).
STAGE_TEXT = {"document_review": "Document review", "defence": "Defence",
              "site_visit": "Site visit"}
STATUS_TEXT = {"assigned": "Assigned", "submitted": "Submitted", "declined": "Declined",
               "withdrawn": "Withdrawn from the team"}
# What the audit chain records besides the transitions (their labels are the table's).
OFFICE_ACTIONS = {"assign_reviewers": "分配评审专家", "confirm_no_conflict": "专家确认回避承诺",
                  "declare_conflict": "专家申报回避", "conflict_of_interest": "发现利益冲突",
                  "site_visit_report": "提交现场评审报告", "release_results": "发布评审结果",
                  "agreed_feedback": "组长撰写评审组共识反馈意见",
                  **SHENZHEN_REVIEW_ACTIONS, **SHENZHEN_OUTCOME_ACTIONS}

router = APIRouter(prefix="/admin")


@router.get("")
def cycles(request: Request, page: AdminPage) -> Response:
    found = list(page.session.scalars(select(AwardCycle).order_by(AwardCycle.id.desc())))
    return render(request, "admin/cycles.html", user=page.user, csrf=page.csrf, cycles=found)


@router.get("/cycles/{cycle_id}")
def board(cycle_id: int, request: Request, page: AdminPage, award_class: str = "",
          state: str = "", overdue: bool = False, uncovered: bool = False, q: str = "",
          sort: str = "id", desc: bool = False, p: int = 1) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    query = BoardQuery(award_class, state, overdue, uncovered, q, sort, desc, p)
    counts = count_by_state(page.session, cycle.id)
    used = [s for s in ApplicationState if any(counts.get((c, s.value)) for c in cycle.classes)]
    return render(request, "admin/board.html", user=page.user, csrf=page.csrf, cycle=cycle,
                  counts=counts, states=used, all_states=list(ApplicationState),
                  classes=ordered_classes(cycle.classes), class_name=class_name,
                  board=case_board(page.session, cycle, query), query=query,
                  link=board_link(query), stage_text=STAGE_TEXT,
                  release_refusals=in_language(release_refusals(page.session, cycle),
                                               language(request)))


def ordered_classes(classes: list[str]) -> list[str]:
    """The cycle's classes in the standard's order (economic first)."""
    return sorted(classes, key=lambda c: CLASS_IDS.index(c) if c in CLASS_IDS else 99)


def board_link(query: BoardQuery) -> Callable[..., str]:
    """A link to the board with the current filter, some of it changed (sort, page)."""

    def link(**changed: object) -> str:
        fields = {"award_class": query.award_class, "state": query.state,
                  "overdue": query.overdue, "uncovered": query.uncovered, "q": query.search,
                  "sort": query.sort, "desc": query.descending, "p": query.page, **changed}
        kept = {k: ("1" if v is True else v) for k, v in fields.items()
                if v not in ("", False, None) and not (k == "p" and v == 1)
                and not (k == "sort" and v == "id")}
        return "?" + urlencode(kept)

    return link


@router.post("/cycles/{cycle_id}/release-results")
def release(cycle_id: int, page: AdminPage) -> Response:
    release_results(page.session, get_cycle(page.session, cycle_id), page.user)
    return back_to(f"/admin/cycles/{cycle_id}#release")


def _selection(session: Session, cycle: AwardCycle, ids: list[int]) -> list[Application]:
    if not ids:
        return []
    return list(session.scalars(select(Application).where(
        Application.cycle_id == cycle.id, Application.id.in_(ids)).order_by(Application.id)))


@router.get("/cycles/{cycle_id}/bulk")
def bulk_form(cycle_id: int, request: Request, page: AdminPage,
              ids: Annotated[list[int] | None, Query()] = None, scope: str = "",
              award_class: str = "", state: str = "", overdue: bool = False,
              uncovered: bool = False, q: str = "") -> Response:
    """The cases to move, ticked on the board or the board's whole filter result, with
    the triggers of the cycle's procedure that leave the states among them."""
    cycle = get_cycle(page.session, cycle_id)
    if scope == "filter":
        ids = case_board(page.session, cycle, BoardQuery(award_class, state, overdue,
                                                         uncovered, q)).matching_ids
    chosen = _selection(page.session, cycle, ids or [])
    states = {str(a.state) for a in chosen}
    return render(request, "admin/bulk.html", user=page.user, csrf=page.csrf, cycle=cycle,
                  chosen=chosen, class_name=class_name, report=None, states=states,
                  triggers=offered(cycle.rules, states))


@router.post("/cycles/{cycle_id}/bulk")
def bulk(cycle_id: int, request: Request, form: Form,
         admin: Annotated[AdminSnapshot, Depends(admin_outside)]) -> Response:
    # Each application moves in its own transaction, so this view holds none of its own
    # while the bulk run works (SQLite lets one writer at a time).
    database = database_of(request)
    dry_run = text(form, "dry_run") == "on"
    trigger = text(form, "trigger")
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    with database.session() as session:
        cycle = get_cycle(session, cycle_id)
        spec = BY_TRIGGER.get(trigger)
        if spec is not None and not in_procedure(spec, cycle.rules):
            raise InvalidInputError(f"{trigger} is not a step of this cycle's procedure")
    report = advance_all(database, cycle_id=cycle.id, award_class=text(form, "award_class")
                         or None, trigger=trigger, actor_ref=str(admin.user_id),
                         reason=text(form, "reason"), dry_run=dry_run,
                         application_ids=ids or None)
    if not dry_run:
        wake_background(request)
    lang = language(request)
    with database.session() as session:
        user = session.get(User, admin.user_id)
        chosen = _selection(session, cycle, ids or [*report.moved, *report.refused])
        return render(request, "admin/bulk.html", user=user, csrf=admin.csrf_token,
                      cycle=cycle, report=report, spec=BY_TRIGGER[report.trigger],
                      refused={i: in_language(p, lang) for i, p in report.refused.items()},
                      chosen=chosen, titles={a.id: a.title for a in chosen}, ids=ids,
                      reason=text(form, "reason"), class_name=class_name, triggers=[])


@router.get("/cases/{application_id}")
def case(application_id: int, request: Request, page: AdminPage) -> Response:
    application = access.readable(page.session, page.user, application_id)
    lang = language(request)
    tally = tally_of(page.session, application)
    return render(request, "admin/case.html", user=page.user, csrf=page.csrf,
                  application=application, history=history(page.session, application.id),
                  waiting={trigger: in_language(problems, lang) for trigger, problems
                           in actions_now(page.session, application, page.user).items()},
                  specs=BY_TRIGGER, assignments=assignments_of(
                      page.session, application_id=application.id),
                  visit=page.session.get(SiteVisit, application.id),
                  score=page.session.get(ConsolidatedScore, application.id),
                  tally=tally, tally_notes=in_language(
                      [*tally.problems, *tally.notes] if tally else [], lang),
                  class_name=class_name(application.award_class), stage_text=STAGE_TEXT,
                  status_text=STATUS_TEXT, trigger_label=trigger_label,
                  stages=[s for s in REVIEW_STAGES if s in ("document_review", "site_visit")
                          or application.cycle.rules.uses(s)])


def trigger_label(trigger: str) -> str:
    """A history record's trigger as the office reads it (a transition's own label)."""
    spec = BY_TRIGGER.get(trigger)
    return spec.label if spec else OFFICE_ACTIONS.get(trigger, trigger)


@router.post("/cases/{application_id}/assign")
def assign(application_id: int, page: AdminPage, form: Form) -> Response:
    access.readable(page.session, page.user, application_id)
    assign_stage(page.session, [application_id], ReviewStage(text(form, "stage")))
    return back_to(f"/admin/cases/{application_id}")


@router.post("/cases/{application_id}/site-visit")
def schedule(application_id: int, page: AdminPage, form: Form) -> Response:
    from datetime import date

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
    found = results_by_class(page.session, cycle.id)
    for award_class in ordered_classes(list(found)):
        standard = load_standard(award_class)
        shown = [e for e in found[award_class] if access.is_admin(page.user)
                 or access.committee_may_see(page.session, page.user, e["application"])]
        if not shown:
            continue
        for entry in shown:
            if entry["score"] is None:
                continue  # not consolidated (yet): no category profile to draw
            points = entry["score"].breakdown.get("categories", {})
            entry["categories"] = {c.code: points.get(c.code, 0)
                                   for c in standard.categories}
            entry["radar"] = charts.radar([(c.name, float(points.get(c.code, 0)), c.points)
                                           for c in standard.categories])
            entry["polygon"] = charts.polygon(entry["radar"])
        by_class[award_class] = {
            "entries": shown, "standard": standard,
            "chart": charts.distribution_chart([float(e["score"].total) for e in shown
                                                if e["score"] is not None])}
    return render(request, "admin/results.html", user=page.user, csrf=page.csrf, cycle=cycle,
                  by_class=by_class, admin=access.is_admin(page.user))
