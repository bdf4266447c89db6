"""Reviewer pages: my tasks with deadlines, the scoring form, consensus, site-visit report."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from mqa_workflow.applications.models import Document, DocumentBlob
from mqa_workflow.clock import OFFICE_TZ, office_today
from mqa_workflow.deadlines.links import work_path
from mqa_workflow.deadlines.open_work import open_work
from mqa_workflow.errors import ConflictError, DomainError, InvalidInputError, NotFoundError
from mqa_workflow.reviews.agreed_feedback import agreed_of, record_agreed_feedback, team_notes
from mqa_workflow.reviews.assignment_service import decline
from mqa_workflow.reviews.conflict_declarations import declare_conflict
from mqa_workflow.reviews.consensus import spreads
from mqa_workflow.reviews.consensus_gate import (
    SheetsOutstandingError,
    all_sheets_in,
    record_when_all_in,
)
from mqa_workflow.reviews.models import (
    ConsensusSheet,
    ReviewAssignment,
    ReviewStage,
    ScoreSheet,
    SiteVisit,
)
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
from mqa_workflow.web.errors import Forbidden, status_of
from mqa_workflow.web.i18n import translator
from mqa_workflow.web.listing import assignments_of, sheet_of
from mqa_workflow.web.pages.deps import (
    Form,
    Page,
    ReviewerOrAdminPage,
    ReviewerPage,
    text,
)
from mqa_workflow.web.pages.rendering import back_to, language, render

router = APIRouter()


# What the task list says after a reviewer withdrew from a task (post/redirect/get).
NOTICES = {"declared": "Conflict declared: you are withdrawn from the application's teams",
           "declined": "Assignment declined"}

# What the score sheet says after a save (post/redirect/get).
SAVED = {"draft": "Draft saved", "submitted": "Score sheet submitted and locked"}

# Stage and sheet-status names as the page's text keys (web/i18n.py translates them):
# the reviewer never reads ``document_review`` or ``draft``.
STAGE_TEXT = {"document_review": "Document review", "defence": "Defence",
              "site_visit": "Site visit"}
SHEET_TEXT = {None: "Not started", "draft": "Draft", "submitted": "Submitted"}
# Kinds of other work with a deadline (deadlines/open_work.py), as the page's text keys.
WORK_TEXT = {"consensus": "Consensus sheet", "site_visit_report": "Site-visit report",
             "committee_vote": "Committee vote", "correction": "Applicant's correction"}


def stage_text(stage: str) -> str:
    return STAGE_TEXT.get(stage, stage)


def days_left(due_at: datetime | None) -> int | None:
    """Whole office days from today to the deadline's day (negative once overdue)."""
    if due_at is None:
        return None
    aware = due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)
    return (aware.astimezone(OFFICE_TZ).date() - office_today()).days


def scored_codes(standard: Standard) -> list[str]:
    return [item.code for item in standard.scored_items()]


def sheet_progress_of(sheet: ScoreSheet | None, standard: Standard) -> tuple[int, int]:
    """(n, m): n of the standard's m scored items have a percentage on the sheet."""
    codes = scored_codes(standard)
    return len(set(sheet.percentages or {}) & set(codes)) if sheet else 0, len(codes)


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
    sheets = {a.id: sheet_of(page.session, a) for a in mine}
    standards = {a.id: load_standard(applications[a.application_id].award_class)
                 for a in mine}
    progress = {a.id: sheet_progress_of(sheets[a.id], standards[a.id]) for a in mine}
    other_work = [w for w in open_work(page.session) if w.kind != "review"
                  and page.user in w.responsible]
    return render(request, "reviewer/tasks.html", user=page.user, csrf=page.csrf,
                  assignments=mine, applications=applications, other_work=other_work,
                  sheets=sheets, standards=standards, progress=progress,
                  days_left={a.id: days_left(a.due_at) for a in mine},
                  work_days={w.ref: days_left(w.due_at) for w in other_work},
                  work_path=work_path, work_text=WORK_TEXT, stage_text=stage_text,
                  sheet_text=SHEET_TEXT,
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


def allowed_text(values: list[int], lang: str) -> str:
    """The allowed percentages in a few words: a regular run as its step, else the list."""
    stride = values[1] - values[0] if len(values) > 1 else 1
    if values == list(range(0, 101, stride)):
        if stride == 1:
            return "0–100 之间的整数" if lang == "zh" else "a whole number from 0 to 100"
        return (f"0–100 之间 {stride} 的倍数" if lang == "zh"
                else f"a multiple of {stride} from 0 to 100")
    return "、".join(str(v) for v in values) if lang == "zh" else ", ".join(map(str, values))


# What the reviewer typed for one item: the percentage as typed, and the two notes.
Entered = dict[str, dict[str, str]]


def entered_from_sheet(sheet: ScoreSheet | None) -> Entered:
    if sheet is None:
        return {}
    found: Entered = {}
    for code, value in (sheet.percentages or {}).items():
        found.setdefault(code, {})["pct"] = str(value)
    for code, note in (sheet.comments or {}).items():
        for kind in ("strengths", "opportunities"):
            found.setdefault(code, {})[kind] = str(note.get(kind, "") or "")
    return found


def entered_from_form(form: FormData, codes: list[str]) -> Entered:
    return {code: {"pct": text(form, f"pct_{code}").strip(),
                   "strengths": text(form, f"strengths_{code}"),
                   "opportunities": text(form, f"opportunities_{code}")} for code in codes}


def check_entered(entered: Entered, values: dict[str, list[int]], *, submit: bool,
                  t: Callable[[str], str], lang: str) -> tuple[dict[str, int], dict[str, str]]:
    """The valid percentages, and a message per item in the page's language for the rest
    (the domain's refusal lists English sentences; these sit beside each item)."""
    scores, errors = {}, {}
    for code, allowed in values.items():
        raw = entered.get(code, {}).get("pct", "")
        if not raw:
            if submit:
                errors[code] = t("Not scored yet: every item needs a percentage to submit")
            continue
        number = int(raw) if raw.lstrip("-").isdigit() else None
        if number is None or number not in allowed:
            errors[code] = t("Not an allowed percentage; the scoring guide takes: ") + \
                allowed_text(allowed, lang)
            continue
        scores[code] = number
    return scores, errors


def comments_of(entered: Entered, sheet: ScoreSheet | None) -> dict[str, dict[str, str]]:
    """The notes to store: every item with a note now, or with one stored before (so a
    note cleared on the page is cleared in the sheet too)."""
    before = set((sheet.comments or {}) if sheet else {})
    found = {}
    for code, typed in entered.items():
        note = {kind: typed.get(kind, "").strip() for kind in ("strengths", "opportunities")}
        if any(note.values()) or code in before:
            found[code] = note
    return found


def sheet_page(request: Request, page: Page, assignment: ReviewAssignment, *,
               entered: Entered | None = None, errors: dict[str, str] | None = None,
               refusal: str = "", notice: str = "", status: int = 200) -> Response:
    application = access.readable(page.session, page.user, assignment.application_id)
    standard = load_standard(application.award_class)
    step = application.cycle.rules.percentage_steps.get(application.award_class)
    sheet = sheet_of(page.session, assignment)
    values = {i.code: allowed_values(standard, i, step) for i in standard.scored_items()}
    lang = language(request)
    errors = errors or {}
    return render(request, "reviewer/sheet.html", user=page.user, csrf=page.csrf,
                  status=status, assignment=assignment, application=application,
                  standard=standard, sheet=sheet,
                  entered=entered if entered is not None else entered_from_sheet(sheet),
                  errors=errors, refusal=refusal, notice=notice,
                  # the item to open first: the first refused one, else the page decides
                  focus=next((c for c in values if c in errors), ""),
                  answers=application.answer_texts(),
                  documents=sorted(application.documents, key=lambda d: d.id),
                  values=values, allowed={c: allowed_text(v, lang) for c, v in values.items()},
                  stage=stage_text(assignment.stage), sheet_text=SHEET_TEXT,
                  days_left=days_left(assignment.due_at),
                  editable=assignment.reviewer_id == page.user.id and not (
                      sheet and sheet.status == "submitted"))


@router.get("/assignments/{assignment_id}")
def sheet_form(assignment_id: int, request: Request, page: ReviewerOrAdminPage,
               saved: str = "") -> Response:
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
    return sheet_page(request, page, assignment, notice=SAVED.get(saved, ""))


def refusal_text(refused: DomainError, t: Callable[[str], str]) -> str:
    """A refusal of the whole sheet in the page's language; only an unforeseen one keeps
    the domain's English detail, in brackets, for the office to look up."""
    if "locked" in refused.message:
        return t("The score sheet is already submitted and locked")
    if "saved elsewhere" in refused.message:
        return t("The sheet was saved in another window meanwhile; reload it and apply "
                 "your change again")
    return f"{t('The score sheet could not be saved')} ({refused.message})"


@router.post("/assignments/{assignment_id}")
def save(assignment_id: int, request: Request, page: ReviewerPage, form: Form) -> Response:
    assignment = access.own_assignment(page.session, page.user, assignment_id)
    if assignment.reviewer_id != page.user.id:
        raise Forbidden("only the assigned reviewer scores this sheet")
    application = access.readable(page.session, page.user, assignment.application_id)
    standard = load_standard(application.award_class)
    step = application.cycle.rules.percentage_steps.get(application.award_class)
    values = {i.code: allowed_values(standard, i, step) for i in standard.scored_items()}
    lang = language(request)
    t = translator(lang)
    submit = text(form, "action") == "submit"
    entered = entered_from_form(form, list(values))
    scores, errors = check_entered(entered, values, submit=submit, t=t, lang=lang)
    comments = comments_of(entered, sheet_of(page.session, assignment))
    if errors:
        # Refused beside each item; what is valid is kept as the draft, and the page
        # shows everything as typed, so nothing is lost even if the reviewer leaves.
        try:
            with page.session.begin_nested():  # a refusal undoes only this save
                save_sheet(page.session, assignment, scores, comments)
        except DomainError:
            pass  # the sheet is locked or closed: the page below says what is wrong
        return sheet_page(request, page, assignment, entered=entered, errors=errors,
                          status=422)
    try:
        with page.session.begin_nested():  # a refused flush undoes only this save
            save_sheet(page.session, assignment, scores, comments, submit=submit)
    except DomainError as refused:
        return sheet_page(request, page, assignment, entered=entered,
                          refusal=refusal_text(refused, t), status=status_of(refused))
    return back_to(f"/assignments/{assignment_id}?saved={'submitted' if submit else 'draft'}")


# Kinds a browser shows by itself; anything else (Word, Excel) is downloaded.
SHOWN_IN_PLACE = frozenset({"application/pdf", "image/png", "image/jpeg"})


@router.get("/assignments/{assignment_id}/documents/{document_id}")
def document_in_place(assignment_id: int, document_id: int, page: ReviewerOrAdminPage
                      ) -> Response:
    """One of the application's documents, shown inside the score sheet's side frame.

    The same rules as the API's download (``/api/documents/{id}``), which answers with
    ``attachment`` (a frame would only download it): here PDFs and images come ``inline``.
    """
    assignment = access.own_assignment(page.session, page.user, assignment_id)
    document = page.session.get(Document, document_id)
    if document is None or document.application_id != assignment.application_id:
        raise NotFoundError(f"no document {document_id} in this assignment's application")
    application = access.readable(page.session, page.user, document.application_id)
    if not access.full_materials(page.session, page.user, application):
        raise Forbidden(f"{page.user.email} may not see document {document_id}")
    blob = page.session.get(DocumentBlob, document.sha256)
    assert blob is not None  # a foreign key keeps it
    how = "inline" if document.content_type in SHOWN_IN_PLACE else "attachment"
    return Response(blob.data, media_type=document.content_type, headers={
        "Content-Disposition": f"{how}; filename*=UTF-8''{quote(document.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
        # Framed by the sheet on this site only (every other answer says DENY); the
        # document itself may load nothing (a PDF's viewer is the browser's own).
        "X-Frame-Options": "SAMEORIGIN",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; "
                                   "style-src 'unsafe-inline'; frame-ancestors 'self'"})


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


def consensus_page(request: Request, page: Page, application_id: int, stage: ReviewStage,
                   *, typed: dict[str, tuple[str, str]] | None = None, refusal: str = "",
                   problems: list[str] | None = None, status: int = 200,
                   agreed_typed: dict[str, Any] | None = None) -> Response:
    application, place = access.team_place(page.session, page.user, application_id,
                                           stage.value)
    submitted, team = access.team_progress(page.session, application_id, stage.value)
    visible = access.sees_team_percentages(page.user, place)
    recorded = page.session.scalar(select(ConsensusSheet).where(
        ConsensusSheet.application_id == application_id, ConsensusSheet.stage == stage.value))
    standard = load_standard(application.award_class)
    found = spreads(page.session, application, stage) if visible else {}
    # The flagged items first (they need the leader's decision), widest spread first;
    # the others in the standard's order.
    order = {code: n for n, code in enumerate(found)}
    rows = sorted(found.items(), key=lambda row: (not row[1][2], -row[1][1] if row[1][2]
                                                  else 0, order[row[0]]))
    step = application.cycle.rules.percentage_steps.get(application.award_class)
    return render(request, "reviewer/consensus.html", user=page.user, csrf=page.csrf,
                  status=status, application=application, stage=stage.value,
                  stage_name=stage_text(stage.value), standard=standard,
                  submitted=submitted, team=team, visible=visible, rows=rows,
                  medians={code: statistics.median(v) for code, (v, _, _) in found.items()
                           if v},
                  values={i.code: allowed_values(standard, i, step)
                          for i in standard.scored_items()},
                  recorded=recorded if visible else None,
                  all_in=all_sheets_in(page.session, application_id, stage),
                  leads=bool(place and place.is_leader), typed=typed or {},
                  refusal=refusal, problems=problems or [],
                  # the agreed feedback: what the leader typed (kept on a refusal), else
                  # the stored text; the team's own notes beside it while they agree
                  agreed=agreed_typed or (agreed_of(recorded) if recorded and visible
                                          else None),
                  notes=team_notes(page.session, application, stage) if visible else {},
                  released=application.cycle.results_released_at is not None)


@router.get("/applications/{application_id}/consensus/{stage}")
def consensus(application_id: int, stage: ReviewStage, request: Request, page: Page
              ) -> Response:
    return consensus_page(request, page, application_id, stage)


@router.post("/applications/{application_id}/consensus/{stage}")
def record(application_id: int, stage: ReviewStage, request: Request, page: ReviewerPage,
           form: Form) -> Response:
    _team(page, application_id, stage.value)
    application = access.readable(page.session, page.user, application_id)
    decisions, typed = {}, {}
    for key, value in form.items():
        if key.startswith("decide_") and isinstance(value, str):
            code = key.removeprefix("decide_")
            typed[code] = (value.strip(), text(form, f"rationale_{code}"))
            if value.strip().isdigit():
                decisions[code] = (int(value), text(form, f"rationale_{code}"))
    t = translator(language(request))
    try:
        with page.session.begin_nested():
            record_when_all_in(page.session, application, stage, page.user, decisions)
    except SheetsOutstandingError as waiting:
        return consensus_page(request, page, application_id, stage, typed=typed, status=409,
                              refusal=t("The consensus is recorded once every score sheet "
                                        "is in") + f" ({waiting.submitted} / {waiting.team})")
    except DomainError as refused:
        return consensus_page(request, page, application_id, stage, typed=typed,
                              status=status_of(refused), problems=refused.problems,
                              refusal=t("The consensus could not be recorded"))
    return back_to(f"/applications/{application_id}/consensus/{stage.value}")


@router.post("/applications/{application_id}/consensus/{stage}/feedback")
def agreed_feedback(application_id: int, stage: ReviewStage, request: Request,
                    page: ReviewerPage, form: Form) -> Response:
    """The leader's agreed strengths and opportunities per category, and the summary."""
    _team(page, application_id, stage.value)
    application = access.readable(page.session, page.user, application_id)
    categories = {category.code: {kind: text(form, f"{kind}_{category.code}")
                                  for kind in ("strengths", "opportunities")}
                  for category in load_standard(application.award_class).categories}
    summary = text(form, "summary")
    try:
        with page.session.begin_nested():
            record_agreed_feedback(page.session, application, stage, page.user,
                                   summary=summary, categories=categories)
    except DomainError as refused:
        return consensus_page(
            request, page, application_id, stage, status=status_of(refused),
            problems=refused.problems, agreed_typed={"summary": summary,
                                                     "categories": categories},
            refusal=translator(language(request))("The agreed feedback could not be saved"))
    return back_to(f"/applications/{application_id}/consensus/{stage.value}"
                   "?saved=feedback#agreed-feedback")


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
