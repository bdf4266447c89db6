"""Reviewer pages: my tasks with deadlines, the scoring form, consensus, site-visit report."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from mqa_workflow.clock import office_today
from mqa_workflow.deadlines.open_work import open_work
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.assignment_service import decline
from mqa_workflow.reviews.conflict_declarations import declare_conflict
from mqa_workflow.reviews.consensus import record_consensus, spreads
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ReviewStage, SiteVisit
from mqa_workflow.reviews.sheets import save_sheet
from mqa_workflow.reviews.site_visits import findings_shown, submit_visit_report
from mqa_workflow.reviews.statement import (
    confirm_no_conflict,
    may_review,
    no_conflict_statement,
    statement_of,
)
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import Item, Standard
from mqa_workflow.standards.sheet import effective_step
from mqa_workflow.web import access
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import assignments_of, sheet_of
from mqa_workflow.web.pages.deps import (
    Form,
    Page,
    ReviewerOrAdminPage,
    ReviewerPage,
    text,
)
from mqa_workflow.web.pages.rendering import back_to, render

router = APIRouter()


# What the task list says after a reviewer withdrew from a task (post/redirect/get).
NOTICES = {"declared": "Conflict declared: you are withdrawn from the application's teams",
           "declined": "Assignment declined"}


@router.get("/tasks")
def tasks(request: Request, page: ReviewerPage, notice: str = "") -> Response:
    applications, mine = {}, []
    for assignment in assignments_of(page.session, reviewer_id=page.user.id):
        if not assignment.status.active:
            continue
        try:  # a conflict found after the sheet was submitted closes the application too
            applications[assignment.application_id] = may_review(
                page.session, page.user, assignment.application_id)
        except ConflictError:
            continue
        mine.append(assignment)
    other_work = [w for w in open_work(page.session) if w.kind != "review"
                  and page.user in w.responsible]
    return render(request, "reviewer/tasks.html", user=page.user, csrf=page.csrf,
                  assignments=mine, applications=applications, other_work=other_work,
                  sheets={a.id: sheet_of(page.session, a) for a in mine},
                  confirmed={a.application_id for a in mine
                             if statement_of(page.session, page.user.id, a.application_id)},
                  notice=NOTICES.get(notice, ""))


def allowed_values(standard: Standard, item: Item, step: int | None) -> list[int]:
    """The percentages the item's scoring guide allows (enumerated, or its steps)."""
    guide = standard.guide(item.scoring_guide)
    enumerated = sorted({v for band in guide.bands for v in (band.values or [])})
    if enumerated:
        return enumerated
    stride = effective_step(guide, step)
    return list(range(0, 101, stride))


@router.get("/assignments/{assignment_id}")
def sheet_form(assignment_id: int, request: Request, page: ReviewerOrAdminPage) -> Response:
    mine = page.session.get(ReviewAssignment, assignment_id)
    if mine is not None and mine.reviewer_id == page.user.id and statement_of(
            page.session, page.user.id, mine.application_id) is None:
        # Before the materials: the no-conflict statement to confirm (or a conflict to
        # declare, or the assignment to decline).
        assignment = access.reviewer_task(page.session, page.user, assignment_id)
        application = may_review(page.session, page.user, assignment.application_id)
        return render(request, "reviewer/statement.html", user=page.user, csrf=page.csrf,
                      assignment=assignment, application=application,
                      statement=no_conflict_statement(application))
    assignment = access.own_assignment(page.session, page.user, assignment_id)
    application = access.readable(page.session, page.user, assignment.application_id)
    standard = load_standard(application.award_class)
    step = application.cycle.rules.percentage_steps.get(application.award_class)
    return render(request, "reviewer/sheet.html", user=page.user, csrf=page.csrf,
                  assignment=assignment, application=application, standard=standard,
                  sheet=sheet_of(page.session, assignment),
                  answers=application.answer_texts(),
                  values={i.code: allowed_values(standard, i, step)
                          for i in standard.scored_items()})


@router.post("/assignments/{assignment_id}")
def save(assignment_id: int, page: ReviewerPage, form: Form) -> Response:
    assignment = access.own_assignment(page.session, page.user, assignment_id)
    if assignment.reviewer_id != page.user.id:
        raise Forbidden("only the assigned reviewer scores this sheet")
    scores = {key.removeprefix("pct_"): int(value) for key, value in form.items()
              if key.startswith("pct_") and isinstance(value, str)
              and value.strip().lstrip("-").isdigit()}
    comments = {}
    for key, value in form.items():
        if key.startswith(("strengths_", "opportunities_")) and isinstance(value, str) \
                and value.strip():
            kind, _, code = key.partition("_")
            comments.setdefault(code, {})[kind] = value.strip()
    save_sheet(page.session, assignment, scores, comments,
               submit=text(form, "action") == "submit")
    return back_to(f"/assignments/{assignment_id}")


@router.post("/assignments/{assignment_id}/statement")
def confirm_statement(assignment_id: int, page: ReviewerPage) -> Response:
    assignment = access.reviewer_task(page.session, page.user, assignment_id)
    confirm_no_conflict(page.session, page.user, assignment.application_id)
    return back_to(f"/assignments/{assignment_id}")


@router.post("/assignments/{assignment_id}/declare-conflict")
def declare(assignment_id: int, page: ReviewerPage, form: Form) -> Response:
    assignment = access.reviewer_task(page.session, page.user, assignment_id)
    declare_conflict(page.session, page.user, assignment.application_id, text(form, "reason"))
    return back_to("/tasks?notice=declared")


@router.post("/assignments/{assignment_id}/decline")
def decline_task(assignment_id: int, page: ReviewerPage, form: Form) -> Response:
    assignment = access.reviewer_task(page.session, page.user, assignment_id)
    reason = text(form, "reason").strip()
    if not reason:
        raise InvalidInputError("declining an assignment needs its reason")
    decline(page.session, assignment, reason)
    return back_to("/tasks?notice=declined")


def _team(page: Page, application_id: int, stage: str) -> ReviewAssignment | None:
    """The visitor's place on the stage's team (None for administrators)."""
    return access.team_place(page.session, page.user, application_id, stage)[1]


@router.get("/applications/{application_id}/consensus/{stage}")
def consensus(application_id: int, stage: ReviewStage, request: Request, page: Page
              ) -> Response:
    application, place = access.team_place(page.session, page.user, application_id,
                                           stage.value)
    submitted, team = access.team_progress(page.session, application_id, stage.value)
    visible = access.sees_team_percentages(page.user, place)
    recorded = page.session.scalar(select(ConsensusSheet).where(
        ConsensusSheet.application_id == application_id, ConsensusSheet.stage == stage.value))
    return render(request, "reviewer/consensus.html", user=page.user, csrf=page.csrf,
                  application=application, stage=stage.value,
                  standard=load_standard(application.award_class),
                  submitted=submitted, team=team, visible=visible,
                  rows=spreads(page.session, application, stage) if visible else {},
                  recorded=recorded if visible else None,
                  leads=bool(place and place.is_leader))


@router.post("/applications/{application_id}/consensus/{stage}")
def record(application_id: int, stage: ReviewStage, page: ReviewerPage, form: Form) -> Response:
    _team(page, application_id, stage.value)
    application = access.readable(page.session, page.user, application_id)
    decisions = {}
    for key, value in form.items():
        if key.startswith("decide_") and isinstance(value, str) and value.strip().isdigit():
            code = key.removeprefix("decide_")
            decisions[code] = (int(value), text(form, f"rationale_{code}"))
    record_consensus(page.session, application, stage, page.user, decisions)
    return back_to(f"/applications/{application_id}/consensus/{stage.value}")


@router.get("/applications/{application_id}/site-visit")
def visit(application_id: int, request: Request, page: Page) -> Response:
    place = _team(page, application_id, ReviewStage.SITE_VISIT.value)
    application = access.readable(page.session, page.user, application_id)
    visit = page.session.get(SiteVisit, application_id)
    return render(request, "reviewer/visit.html", user=page.user, csrf=page.csrf,
                  application=application, visit=visit, findings=findings_shown(visit),
                  leads=bool(place and place.is_leader), today=office_today())


@router.post("/applications/{application_id}/site-visit")
def report(application_id: int, page: ReviewerPage, form: Form) -> Response:
    _team(page, application_id, ReviewStage.SITE_VISIT.value)
    application = access.readable(page.session, page.user, application_id)
    visit = page.session.get(SiteVisit, application_id)
    issues = list(visit.issues_to_verify) if visit else []
    # One row of the form per issue to verify, numbered in the order of the list.
    findings = [{"issue": issue, "verified": text(form, f"verified_{n}") or None,
                 "finding": text(form, f"finding_{n}")} for n, issue in enumerate(issues)]
    submit_visit_report(page.session, application, page.user, findings, text(form, "report"))
    return back_to(f"/applications/{application_id}/site-visit")
