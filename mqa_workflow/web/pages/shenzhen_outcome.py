"""The Shenzhen procedure's outcome stages in the browser, for the award office: the
candidate list (差额选拔) with a dry run and every application's reason, the public notice
(公示) with its objections (异议), and the fairness report (公平性报告).

The domain decides (``scoring.candidates``, ``procedure.service``, ``scoring.fairness``),
as for ``mqa candidates select``, ``mqa notice object|resolve`` and ``mqa fairness
report``; these views show it in the office's words and audit every change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import office_today
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import ConflictError, DomainError, InvalidInputError, NotFoundError
from mqa_workflow.procedure.candidate_selection import (
    Candidate,
    SelectionEntry,
    SelectionError,
    SelectionResult,
    rank,
)
from mqa_workflow.procedure.models import (
    CandidateDecision,
    Objection,
    ObjectionStatus,
    PublicNotice,
)
from mqa_workflow.procedure.service import file_objection, notice_calendar, resolve_objection
from mqa_workflow.scoring.candidates import draw_candidates, select_candidates
from mqa_workflow.scoring.fairness import fairness_report
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.offer import actions_now
from mqa_workflow.states.table import BY_TRIGGER
from mqa_workflow.translations.message import Word, refusal
from mqa_workflow.web.board import class_name
from mqa_workflow.web.errors import status_of
from mqa_workflow.web.i18n import translator
from mqa_workflow.web.pages.admin import STAGE_TEXT, ordered_classes
from mqa_workflow.web.pages.deps import AdminPage, Form, Visitor, text
from mqa_workflow.web.pages.rendering import back_to, language, render
from mqa_workflow.web.phrases_shenzhen_outcome import (
    AWARD_NAMES,
    OBJECTION_STATUS,
    chinese_part,
    notice_status,
    refusal_in_chinese,
    selection_reason,
)
from mqa_workflow.web.refusals import in_language as common_in_language

router = APIRouter(prefix="/admin")

# The transitions that publish a notice (the committee's proposal, 拟授奖项).
PUBLISH = ("announce_grand", "announce_encouragement")


def in_language(sentences: list[str], lang: str) -> list[str]:
    """Refusals in the reader's language: these pages' own sentences, then the common ones."""
    if lang == "en":
        return sentences
    return [refusal_in_chinese(s) or common_in_language([s], lang)[0] for s in sentences]


def runs_selection(cycle: AwardCycle) -> bool:
    return cycle.rules.candidates_per_class is not None


def runs_notice(cycle: AwardCycle) -> bool:
    return cycle.rules.uses("public_notice")


def _chosen_class(cycle: AwardCycle, award_class: str) -> str:
    classes = ordered_classes(cycle.classes)
    if award_class and award_class not in classes:
        raise NotFoundError(f"the cycle has no class {award_class}")
    return award_class or classes[0]


# --- candidate selection (差额选拔) ------------------------------------------------------


@router.get("/cycles/{cycle_id}/candidates")
def candidates(cycle_id: int, request: Request, page: AdminPage, award_class: str = "",
               dry_run: bool = False, applied: bool = False) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    if not runs_selection(cycle):
        raise NotFoundError(refusal("this cycle runs no competitive selection (差额选拔)"))
    return _candidates_page(request, page, cycle, _chosen_class(cycle, award_class),
                            dry_run=dry_run, applied=applied)


def _candidates_page(request: Request, page: Visitor, cycle: AwardCycle, chosen: str, *,
                     dry_run: bool, applied: bool = False, status: int = 200) -> Response:
    lang = language(request)
    context: dict[str, Any] = {"rows": [], "result": None, "nothing": "", "problems": []}
    try:
        drawn, result = draw_candidates(page.session, cycle, chosen)
    except ConflictError:
        context["nothing"] = "none_waiting"
    except SelectionError as refused:  # e.g. an applicant with no industry under a cap
        context["problems"] = in_language(refused.problems, lang)
    else:
        ranked = rank(drawn)
        context["result"] = result
        context["rows"] = [_selection_row(page.session, entry, result, ranked, lang)
                           for entry in result.entries]
    decisions = _recorded(page.session, cycle, chosen)
    return render(request, "admin/shenzhen/candidates_page.html", user=page.user,
                  csrf=page.csrf, status=status, cycle=cycle, award_class=chosen,
                  class_name=class_name,
                  classes=ordered_classes(cycle.classes), dry_run=dry_run, applied=applied,
                  decisions=decisions, rule=cycle.rules,
                  attribute=cycle.rules.selection_attribute.get(chosen, "industry"),
                  differs=_differs(decisions, context["result"]), **context)


def _selection_row(session: Session, entry: SelectionEntry, result: SelectionResult,
                   ranked: list[Candidate], lang: str) -> dict[str, Any]:
    application = session.get(Application, entry.application_id)
    return {"entry": entry, "application": application,
            "reason": entry.reason if lang == "en" else selection_reason(entry, result, ranked),
            "tie": any(c.score == entry.score and c.application_id != entry.application_id
                       for c in ranked)}


def _recorded(session: Session, cycle: AwardCycle, award_class: str
              ) -> list[tuple[CandidateDecision, Application]]:
    return [(decision, application) for decision, application in session.execute(
        select(CandidateDecision, Application)
        .join(Application, Application.id == CandidateDecision.application_id)
        .where(Application.cycle_id == cycle.id, Application.award_class == award_class)
        .order_by(CandidateDecision.position))]


def _differs(decisions: list[tuple[CandidateDecision, Application]],
             result: SelectionResult | None) -> bool:
    """Whether the recorded list says otherwise than the selection drawn now."""
    if result is None or not decisions:
        return False
    recorded = {d.application_id: d.selected for d, _ in decisions}
    return any(recorded.get(e.application_id) != e.selected for e in result.entries)


@router.post("/cycles/{cycle_id}/candidates")
def apply_candidates(cycle_id: int, request: Request, page: AdminPage, form: Form
                     ) -> Response:
    """Record the candidate list as ``mqa candidates select`` does, audited per application
    (each case's history says why it is in or out)."""
    cycle = get_cycle(page.session, cycle_id)
    if not runs_selection(cycle):
        raise NotFoundError(refusal("this cycle runs no competitive selection (差额选拔)"))
    chosen = _chosen_class(cycle, text(form, "award_class"))
    try:
        drawn, _ = draw_candidates(page.session, cycle, chosen)
        result = select_candidates(page.session, cycle, chosen)
    except SelectionError:  # the page names every problem; nothing was recorded
        return _candidates_page(request, page, cycle, chosen, dry_run=True, status=422)
    ranked = rank(drawn)
    for entry in result.entries:
        # The history reads in the office's language; the recorded decision keeps the
        # domain's own sentence, kept here too.
        audit.append(page.session, actor=page.user.email, trigger="select_candidates",
                     application_id=entry.application_id,
                     reason=selection_reason(entry, result, ranked),
                     data={"cycle": cycle.id, "class": chosen, "selected": entry.selected,
                           "rank": entry.rank, "places": result.places,
                           "reason": entry.reason})
    return back_to(f"/admin/cycles/{cycle.id}/candidates?award_class={chosen}&applied=1")


# --- public notice (公示) and objections (异议) -----------------------------------------


@router.get("/cycles/{cycle_id}/notice")
def notice(cycle_id: int, request: Request, page: AdminPage) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    return _notice_page(request, page, cycle)


def _notice_page(request: Request, page: Visitor, cycle: AwardCycle, *, status: int = 200,
                 refused: dict[str, Any] | None = None) -> Response:
    if not runs_notice(cycle):
        raise NotFoundError(refusal("this cycle does not run the %(stage)s stage",
                                    stage=Word("stage", "public_notice")))
    lang = language(request)
    rows = page.session.execute(
        select(Application, PublicNotice)
        .outerjoin(PublicNotice, PublicNotice.application_id == Application.id)
        .where(Application.cycle_id == cycle.id,
               (PublicNotice.application_id.is_not(None))
               | (Application.state == ApplicationState.COMMITTEE_DECISION))
        .order_by(Application.id)).all()
    objections = _objections(page.session, [a.id for a, _ in rows])
    notices = [_notice_row(page, cycle, a, n, objections.get(a.id, []), lang)
               for a, n in rows if n is not None]
    waiting = [{"application": a, "actions": _ready_first(_actions(page, a, PUBLISH, lang))}
               for a, n in rows if n is None]
    open_ones = [(o, a) for a, _ in rows for o in objections.get(a.id, [])
                 if o.status == ObjectionStatus.OPEN]
    # A refusal is shown beside its form; one whose form is gone (an objection resolved
    # meanwhile, a notice closed) at the top of the page.
    forms = {f"resolve-{o.id}" for o, _ in open_ones} | {
        f"object-{n['application'].id}" for n in notices if n["accepts_objections"]}
    return render(request, "admin/shenzhen/notice_page.html", user=page.user, csrf=page.csrf,
                  status=status, cycle=cycle, class_name=class_name, open_ones=open_ones,
                  running=[n for n in notices if n["application"].state
                           == ApplicationState.PUBLIC_NOTICE],
                  ended=[n for n in notices if n["application"].state
                         != ApplicationState.PUBLIC_NOTICE],
                  waiting=[w for w in waiting if w["actions"]], award_names=AWARD_NAMES,
                  objection_status=OBJECTION_STATUS, specs=BY_TRIGGER, refused=refused or {},
                  refused_elsewhere=bool(refused) and refused["where"] not in forms,
                  resolvers=_names(page.session, [o.resolved_by for os in objections.values()
                                                  for o in os]),
                  working_days=cycle.rules.notice_working_days)


def _objections(session: Session, application_ids: list[int]) -> dict[int, list[Objection]]:
    found: dict[int, list[Objection]] = {}
    for objection in session.scalars(select(Objection).where(
            Objection.application_id.in_(application_ids)).order_by(Objection.id)):
        found.setdefault(objection.application_id, []).append(objection)
    return found


def _names(session: Session, user_ids: list[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {i: name for i, name in session.execute(
        select(User.id, User.name).where(User.id.in_(ids)))}


def _notice_row(page: Visitor, cycle: AwardCycle, application: Application,
                notice: PublicNotice, objections: list[Objection], lang: str
                ) -> dict[str, Any]:
    today = office_today()
    counts = {s: sum(1 for o in objections if o.status == s) for s in ObjectionStatus}
    left = 0
    if today <= notice.closes_on:
        try:
            left = notice_calendar(cycle.rules.calendar).working_days_between(
                today, notice.closes_on)
        except ValueError:  # a calendar the office has not published yet: no count
            left = 0
    state, sentence = notice_status(translator(lang), today=today, published_on=notice.published_on,
                                    closes_on=notice.closes_on, left=left,
                                    open_objections=counts[ObjectionStatus.OPEN],
                                    upheld=counts[ObjectionStatus.UPHELD],
                                    dismissed=counts[ObjectionStatus.DISMISSED])
    is_open = notice.published_on <= today <= notice.closes_on
    return {"application": application, "notice": notice, "objections": objections,
            "state": state, "sentence": sentence, "accepts_objections": is_open and
            application.state == ApplicationState.PUBLIC_NOTICE,
            "actions": _actions(page, application, _after_notice(notice, counts), lang)}


def _after_notice(notice: PublicNotice, counts: dict[ObjectionStatus, int]) -> tuple[str, ...]:
    """The step that can follow this notice: confirming the award it proposes, or, once an
    objection is upheld, removing the candidate (the state machine's own steps)."""
    if counts[ObjectionStatus.UPHELD]:
        return ("remove_after_objection",)
    return (f"confirm_{notice.proposed_award}",)


def _ready_first(actions: dict[str, list[str]]) -> dict[str, list[str]]:
    """Only the steps that can fire now, when there are any (the committee's vote picks
    one announcement); else every step with what it waits for."""
    ready = {trigger: problems for trigger, problems in actions.items() if not problems}
    return ready or actions


def _actions(page: Visitor, application: Application, triggers: tuple[str, ...], lang: str
             ) -> dict[str, list[str]]:
    """The transitions of ``triggers`` open to the application now, each with what it
    still waits for (the case page's own list, cut to this stage)."""
    return {trigger: in_language(problems, lang) for trigger, problems
            in actions_now(page.session, application, page.user).items() if trigger in triggers}


@router.post("/cycles/{cycle_id}/notice/{application_id}/objections")
def record_objection(cycle_id: int, application_id: int, request: Request, page: AdminPage,
                     form: Form) -> Response:
    """Record an objection received, as ``mqa notice object`` does, audited."""
    cycle = get_cycle(page.session, cycle_id)
    application = _in_cycle(page.session, cycle, application_id)
    evidence = [line.strip() for line in text(form, "evidence").splitlines() if line.strip()]
    try:
        with page.session.begin_nested():
            objection = file_objection(page.session, application,
                                       filed_by=text(form, "filed_by").strip(),
                                       grounds=text(form, "grounds").strip(), evidence=evidence)
    except DomainError as refused:
        return _refused(request, page, cycle, refused, f"object-{application_id}", form)
    audit.append(page.session, actor=page.user.email, trigger="file_objection",
                 application_id=application.id, reason=objection.grounds,
                 data={"objection": objection.id, "filed_on": objection.filed_on.isoformat(),
                       "evidence": objection.evidence})
    return back_to(f"/admin/cycles/{cycle.id}/notice#objection-{objection.id}")


@router.post("/objections/{objection_id}/resolve")
def resolve(objection_id: int, request: Request, page: AdminPage, form: Form) -> Response:
    """Uphold or dismiss with a written finding, as ``mqa notice resolve`` does, audited;
    an upheld objection then offers the state machine's own removal."""
    objection = page.session.get(Objection, objection_id)
    if objection is None:
        raise NotFoundError(f"no objection {objection_id}")
    application = page.session.get(Application, objection.application_id)
    assert application is not None  # the objection's foreign key
    verdict = text(form, "verdict")
    if verdict not in ("uphold", "dismiss"):
        raise InvalidInputError("choose uphold or dismiss")
    try:
        with page.session.begin_nested():
            resolve_objection(page.session, objection, page.user, uphold=verdict == "uphold",
                              reason=text(form, "reason").strip())
    except DomainError as refused:
        return _refused(request, page, application.cycle, refused,
                        f"resolve-{objection_id}", form)
    audit.append(page.session, actor=page.user.email, trigger="resolve_objection",
                 application_id=application.id, reason=objection.resolution,
                 data={"objection": objection.id, "status": str(objection.status)})
    return back_to(f"/admin/cycles/{application.cycle_id}/notice#objection-{objection.id}")


def _in_cycle(session: Session, cycle: AwardCycle, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None or application.cycle_id != cycle.id:
        raise NotFoundError(f"no application {application_id} in this cycle")
    return application


def _refused(request: Request, page: Visitor, cycle: AwardCycle, refused: DomainError,
             where: str, form: Any) -> Response:
    """The page again with the refusal beside its form and what was typed kept."""
    lang = language(request)
    return _notice_page(request, page, cycle, status=status_of(refused), refused={
        "where": where, "detail": in_language([refused.message], lang)[0],
        "problems": in_language(list(refused.problems), lang),
        "values": {k: text(form, k) for k in ("filed_by", "grounds", "evidence", "reason")}})


# --- fairness report (公平性报告) --------------------------------------------------------


@router.get("/cycles/{cycle_id}/fairness")
def fairness(cycle_id: int, request: Request, page: AdminPage, award_class: str = "",
             stage: str = "document_review") -> Response:
    cycle = get_cycle(page.session, cycle_id)
    chosen = _chosen_class(cycle, award_class)
    stages = [s for s in ("document_review", "defence", "site_visit")
              if s != "defence" or cycle.rules.uses("defence")]
    if stage not in stages:
        raise NotFoundError(f"the cycle has no review stage {stage}")
    lang = language(request)
    report, nothing = None, ""
    try:
        report = fairness_report(page.session, cycle.id, chosen, stage)
    except ConflictError as refused:
        nothing = in_language([refused.message], lang)[0]
    context: dict[str, Any] = {}
    if report is not None:
        ids = [row.application_id for row in report.applications]
        context = {"titles": {a.id: a.title for a in page.session.scalars(
                       select(Application).where(Application.id.in_(ids)))},
                   "reviewer_names": _names(page.session, [int(r) for r in
                                                           report.calibration.reviewers]),
                   "item_names": _item_names(chosen)}
    return render(request, "admin/shenzhen/fairness_page.html", user=page.user, csrf=page.csrf,
                  cycle=cycle, award_class=chosen, class_name=class_name,
                  classes=ordered_classes(cycle.classes), stage=stage, stages=stages,
                  stage_text=STAGE_TEXT, report=report, nothing=nothing,
                  note=(lambda n: n) if lang == "en" else chinese_part,
                  level=f"{report.calibration.confidence:.0%}" if report else "", **context)


def _item_names(award_class: str) -> dict[str, str]:
    return {item.code: item.name for item in load_standard(award_class).scored_items()}
