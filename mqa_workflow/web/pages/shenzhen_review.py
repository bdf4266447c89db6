"""The Shenzhen procedure's review stages in the browser, for the award office: the
eligibility review (资格审查: the applicant's facts, the automatic check with every rule's
evidence, the decision), the defence schedule (集中答辩) and the social-evaluation results
(社会评价).

The work is the domain's (``procedure.service``), the same as ``mqa eligibility``,
``mqa defence`` and ``mqa social``; the decisions are the ordinary transitions of the
states engine. Every change is audited here, with the application, so the case page's
history shows it; a refusal comes back as the page with what was entered and why, in
the reader's language."""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import OFFICE_TZ, office_time
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import DomainError, InvalidInputError, NotFoundError
from mqa_workflow.procedure import service as procedure
from mqa_workflow.procedure.eligibility import (
    Decision,
    EligibilityReport,
    RuleResult,
    RuleStatus,
    decide,
)
from mqa_workflow.procedure.models import DefenceSlot, EligibilityReview, SocialEvaluation
from mqa_workflow.reviews import profiles
from mqa_workflow.reviews.models import ReviewStage
from mqa_workflow.scoring.points import points
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.engine import advance
from mqa_workflow.states.offer import actions_now
from mqa_workflow.translations.message import Word, refusal
from mqa_workflow.web.board import class_name
from mqa_workflow.web.errors import status_of
from mqa_workflow.web.i18n import translator
from mqa_workflow.web.listing import assignments_of
from mqa_workflow.web.pages.deps import AdminPage, Form, text
from mqa_workflow.web.pages.rendering import back_to, language, render
from mqa_workflow.web.phrases_setup import CLASS_LABELS
from mqa_workflow.web.phrases_shenzhen_review import translate
from mqa_workflow.web.refusals import in_language

router = APIRouter(prefix="/admin/cycles/{cycle_id}")

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# The rule statuses and the automatic outcome as the pages' text keys.
STATUS_TEXT = {"passed": "Passed", "failed": "Not met", "unknown": "Not known: a fact is missing",
               "not_applied": "Not applied in this cycle"}
OUTCOME_TEXT = {"eligible": "Eligible", "ineligible": "Ineligible",
                "unknown": "Incomplete: a fact is missing"}
# The eligibility decisions: the transition and the decision it takes (eligibility.decide).
# The audit reason's words for the outcome (the record is read on Chinese pages).
OUTCOME_ZH = {"eligible": "符合资格条件", "ineligible": "不符合资格条件",
              "unknown": "信息不完整，无法判定"}
DECISIONS: dict[str, Decision] = {"confirm_eligible": "eligible",
                                  "return_for_correction": "return_for_correction",
                                  "declare_ineligible": "ineligible"}
DECISION_TEXT = {"confirm_eligible": "Confirm eligible",
                 "return_for_correction": "Return for correction",
                 "declare_ineligible": "Declare ineligible"}
ELIGIBILITY_STATES = (ApplicationState.ELIGIBILITY_CHECK,
                      ApplicationState.RETURNED_FOR_CORRECTION)
# The facts' lists as the form shows them: each entry's fields, in order.
FACT_LISTS: dict[str, tuple[str, ...]] = {
    "penalties": ("decided_on", "authority", "description"),
    "accidents": ("occurred_on", "description", "serious"),
    "past_awards": ("year", "class_id", "name"),
}
BLANK_ROWS = 2  # empty rows under a list's entries, for new ones
MAX_FACT_ROWS = 200  # a list's rows read from one form (a posted count is not trusted)


def said(sentences: Sequence[str], lang: str) -> list[str]:
    """The workflow's and these stages' sentences in the reader's language."""
    if lang == "en":
        return list(sentences)
    return [translate(s) for s in in_language(list(sentences), lang)]


def refusal_of(refused: DomainError) -> list[str]:
    return refused.problems or [refused.message]


def application_of(session: Session, cycle: AwardCycle, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None or application.cycle_id != cycle.id:
        raise NotFoundError(refusal("application %(application)s is not in this cycle",
                                    application=application_id))
    return application


def cycle_running(session: Session, cycle_id: int, stage: str) -> AwardCycle:
    """The cycle, if its procedure runs ``stage`` (the defence and the social evaluation
    are the Shenzhen procedure's optional stages)."""
    cycle = get_cycle(session, cycle_id)
    if not cycle.rules.uses(stage):
        raise NotFoundError(refusal("this cycle does not run the %(stage)s stage",
                                    stage=Word("stage", stage)))
    return cycle


def in_states(session: Session, cycle: AwardCycle, states: Sequence[ApplicationState],
              also: Sequence[int] = ()) -> list[Application]:
    """The cycle's applications in ``states``, and those of ``also``; by class, then id."""
    found = session.scalars(select(Application).where(
        Application.cycle_id == cycle.id,
        Application.state.in_(states) | Application.id.in_(also)))
    return sorted(found, key=lambda a: (
        CLASS_IDS.index(a.award_class) if a.award_class in CLASS_IDS else 99, a.id))


# --- eligibility (资格审查) -------------------------------------------------------------


def facts_summary(facts: Mapping[str, Any] | None) -> dict[str, str]:
    """What each fact holds, as the list shows it: a date, a count, or "not checked"."""
    facts = facts or {}
    shown = {"registered_on": str(facts.get("registered_on") or "")}
    for key in FACT_LISTS:
        entries = facts.get(key)
        shown[key] = "" if entries is None else str(len(entries))
    return shown


def report_of(review: EligibilityReview) -> EligibilityReport:
    """The stored report as the domain's report (its outcome and the override rule)."""
    stored = review.report
    return EligibilityReport(date.fromisoformat(stored["as_of"]), tuple(
        RuleResult(r["rule"], r["title"], RuleStatus(r["status"]), r["evidence"])
        for r in stored["results"]))


@router.get("/eligibility")
def eligibility_list(cycle_id: int, request: Request, page: AdminPage) -> Response:
    return _eligibility_list(request, page, get_cycle(page.session, cycle_id))


def _eligibility_list(request: Request, page: AdminPage, cycle: AwardCycle, *,
                      status: int = 200, **context: Any) -> Response:
    reviews = {r.application_id: r for r in page.session.scalars(
        select(EligibilityReview).join(Application).where(Application.cycle_id == cycle.id))}
    applications = in_states(page.session, cycle, ELIGIBILITY_STATES, list(reviews))
    waiting = [a for a in applications if a.state in ELIGIBILITY_STATES]
    done = [a for a in applications if a.state not in ELIGIBILITY_STATES]
    return render(request, "admin/shenzhen/eligibility_list.html", user=page.user,
                  csrf=page.csrf, status=status, cycle=cycle, waiting=waiting, done=done,
                  reviews=reviews, summary={a.id: facts_summary(
                      reviews[a.id].facts if a.id in reviews else None) for a in applications},
                  outcome_text=OUTCOME_TEXT, class_name=class_name,
                  columns=procedure.FACT_COLUMNS, **context)


def _foreign_rows(session: Session, cycle: AwardCycle, rows: Sequence[Mapping[str, str]]
                  ) -> dict[int, str]:
    """By row number, the rows naming another cycle's application: the domain's import
    would check it in that cycle, so these are refused beside the file's other bad rows."""
    named = {n: int(ref) for n, row in enumerate(rows, start=2)
             if (ref := (row.get("application") or "").strip()).isdigit()}
    known = {id_: cycle_id for id_, cycle_id in session.execute(
        select(Application.id, Application.cycle_id).where(
            Application.id.in_(set(named.values()))))}
    return {n: f"row {n}: application {ref} is not in this cycle" for n, ref in named.items()
            if ref in known and known[ref] != cycle.id}


def _row_number(problem: str) -> int:
    found = re.match(r"row (\d+):", problem)
    return int(found[1]) if found else 0


def _import(page: AdminPage, cycle: AwardCycle, filename: str, content: bytes, *,
            keep: bool) -> tuple[list[EligibilityReview], list[dict[str, str]], list[str]]:
    """The domain's import (every row checked, all or nothing, every bad row by its
    number); without ``keep`` it runs in a savepoint rolled back, so the preview shows
    exactly what the import would do."""
    rows: list[dict[str, str]] = []
    reviews: list[EligibilityReview] = []
    problems: list[str] = []
    nested = page.session.begin_nested()
    try:
        if len(content) > MAX_IMPORT_BYTES:
            raise InvalidInputError(f"{filename}: at most {MAX_IMPORT_BYTES // 1024} KB a file")
        rows = profiles.read_rows(filename, content, ("application", "kind"))
        foreign = _foreign_rows(page.session, cycle, rows)
        try:  # a foreign row is left out (blank) so the others keep their numbers
            reviews = procedure.import_facts(page.session, [
                {} if n in foreign else row for n, row in enumerate(rows, start=2)])
        except InvalidInputError as refused:
            # "nothing to import" says nothing more when every row was another cycle's
            problems = refused.problems or ([] if foreign else [refused.message])
        problems = sorted([*foreign.values(), *problems], key=_row_number)
    except InvalidInputError as refused:  # the file itself: too large, unreadable
        problems = refusal_of(refused)
    if problems or not keep:
        nested.rollback()
        return ([] if problems else reviews), rows, problems
    nested.commit()
    return reviews, rows, []


def _preview(filename: str, content: bytes, rows: list[dict[str, str]], count: int,
             problems: list[str], lang: str) -> dict[str, Any]:
    return {"filename": filename, "count": count, "rows": rows[:200],
            "problems": said(problems, lang), "content": base64.b64encode(content).decode()}


@router.post("/eligibility/import")
def eligibility_import_preview(cycle_id: int, request: Request, page: AdminPage,
                               file: Annotated[UploadFile, File()]) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    filename = file.filename or "upload.csv"
    reviews, rows, problems = _import(page, cycle, filename, content, keep=False)
    return _eligibility_list(request, page, cycle, status=422 if problems else 200,
                             preview=_preview(filename, content, rows, len(reviews),
                                              problems, language(request)))


@router.post("/eligibility/import/apply")
def eligibility_import_apply(cycle_id: int, request: Request, page: AdminPage,
                             form: Form) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    filename = text(form, "filename")
    try:
        content = base64.b64decode(text(form, "content"), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError("the previewed file did not come back whole; "
                                "upload it again") from None
    reviews, rows, problems = _import(page, cycle, filename, content, keep=True)
    if problems:
        return _eligibility_list(request, page, cycle, status=422, preview=_preview(
            filename, content, rows, 0, problems, language(request)))
    for review in reviews:
        _audit_check(page, review, f"核查信息导入自 {filename}")
    return _eligibility_list(request, page, cycle, imported=len(reviews))


def _audit_check(page: AdminPage, review: EligibilityReview, how: str) -> None:
    audit.append(page.session, actor=page.user.email, trigger="eligibility_check",
                 application_id=review.application_id,
                 reason=f"{how}：{OUTCOME_ZH[review.report['outcome']]}",
                 data={"facts": review.facts, "outcome": review.report["outcome"],
                       "as_of": review.report["as_of"]})


def entered_facts(form: FormData) -> tuple[dict[str, Any], list[str]]:
    """The facts as the form posts them, in the shape ``facts_from_data`` reads; a list
    neither ticked "checked, none found" nor filled in is left out (not checked)."""
    facts: dict[str, Any] = {}
    problems: list[str] = []
    registered = text(form, "registered_on").strip()
    if registered:
        facts["registered_on"] = registered
    for key, fields in FACT_LISTS.items():
        count = text(form, f"{key}.rows")
        entries = []
        for n in range(min(int(count), MAX_FACT_ROWS) if count.isdigit() else 0):
            entry: dict[str, Any] = {f: text(form, f"{key}.{n}.{f}").strip() for f in fields}
            if key == "accidents":
                entry["serious"] = text(form, f"{key}.{n}.serious") == "on"
                if not any(v for f, v in entry.items() if f != "serious"):
                    continue
            elif not any(entry.values()):
                continue
            where = f"{key}[{len(entries)}]"
            if key == "past_awards":
                if entry["year"].isdigit():
                    entry["year"] = int(entry["year"])
                else:
                    problems.append(f"{where}: year {entry['year']!r} is not a year")
            if key == "penalties" and not entry["authority"]:
                problems.append(f"{where}: the authority is missing")
            entries.append(entry)
        if entries or text(form, f"{key}.checked") == "on":
            facts[key] = entries
    return facts, problems


@router.get("/eligibility/{application_id}")
def eligibility_case(cycle_id: int, application_id: int, request: Request,
                     page: AdminPage, done: str = "") -> Response:
    cycle = get_cycle(page.session, cycle_id)
    application = application_of(page.session, cycle, application_id)
    return _eligibility_case(request, page, application, done=done)


def _eligibility_case(request: Request, page: AdminPage, application: Application, *,
                      status: int = 200, facts: Mapping[str, Any] | None = None,
                      **context: Any) -> Response:
    lang = language(request)
    review = page.session.get(EligibilityReview, application.id)
    shown = facts if facts is not None else (review.facts if review else {})
    waiting = actions_now(page.session, application, page.user)
    decisions = {trigger: said(waiting[trigger], lang) for trigger in DECISIONS
                 if trigger in waiting}  # confirm first, as the office decides
    return render(request, "admin/shenzhen/eligibility_case.html", user=page.user,
                  csrf=page.csrf, status=status, cycle=application.cycle,
                  application=application, review=review, facts=shown,
                  rows={key: list(shown.get(key) or []) + [{}] * BLANK_ROWS
                        for key in FACT_LISTS},
                  results=[{**r, "evidence": said([r["evidence"]], lang)[0]}
                           for r in (review.report["results"] if review else [])],
                  checkable=application.state == ApplicationState.ELIGIBILITY_CHECK,
                  decisions=decisions, decision_text=DECISION_TEXT, status_text=STATUS_TEXT,
                  outcome_text=OUTCOME_TEXT, class_name=class_name(application.award_class),
                  class_ids=CLASS_IDS, class_labels=CLASS_LABELS, **context)


@router.post("/eligibility/{application_id}/check")
def eligibility_check(cycle_id: int, application_id: int, request: Request,
                      page: AdminPage, form: Form) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    application = application_of(page.session, cycle, application_id)
    facts, problems = entered_facts(form)
    try:
        if problems:
            raise InvalidInputError("the applicant facts are refused", problems)
        with page.session.begin_nested():
            review = procedure.run_eligibility_check(page.session, application, facts)
    except DomainError as refused:
        return _eligibility_case(request, page, application, status=status_of(refused),
                                 facts=facts, fact_problems=said(refusal_of(refused),
                                                                 language(request)))
    _audit_check(page, review, "核查信息表单录入")
    return back_to(f"/admin/cycles/{cycle.id}/eligibility/{application.id}?done=checked"
                   "#report")


@router.post("/eligibility/{application_id}/decide")
def eligibility_decide(cycle_id: int, application_id: int, request: Request,
                       page: AdminPage, form: Form) -> Response:
    """The administrator's decision, an ordinary transition; one against the automatic
    result is an override (eligibility.decide) and keeps its written reason."""
    cycle = get_cycle(page.session, cycle_id)
    application = application_of(page.session, cycle, application_id)
    trigger, reason, version = text(form, "trigger"), text(form, "reason"), text(form, "version")
    if trigger not in DECISIONS:
        raise InvalidInputError(f"decide what? one of {', '.join(DECISIONS)}")
    review = page.session.get(EligibilityReview, application.id)
    lang = language(request)
    is_override = False
    if review is not None and trigger != "return_for_correction":
        try:
            is_override = decide(report_of(review), DECISIONS[trigger], reason).is_override
        except ValueError:
            return _eligibility_case(request, page, application, status=422, reason=reason,
                                     decision_problems=[translator(lang)(
                                         "Deciding against the automatic result is an "
                                         "override and needs a written reason.")])
    try:
        with page.session.begin_nested():
            advance(page.session, application.id, trigger, page.user, reason=reason,
                    data={"override": is_override,
                          "automatic": review.report["outcome"] if review else None},
                    expected_version=int(version) if version.isdigit() else None)
            if review is not None and is_override:
                review.override_reason = reason.strip()
    except DomainError as refused:
        page.session.refresh(application)
        return _eligibility_case(request, page, application, status=status_of(refused),
                                 reason=reason, decision_problems=said(refusal_of(refused),
                                                                       lang))
    return back_to(f"/admin/cycles/{cycle.id}/eligibility/{application.id}?done=decided")


# --- defence (集中答辩) ------------------------------------------------------------------


def _starts_at(day: str, at: str) -> datetime:
    """A Beijing date and time as the stored UTC moment."""
    problems = []
    try:
        start_day = date.fromisoformat(day.strip())
    except ValueError:
        problems.append(f"date: {day!r} is not a date (YYYY-MM-DD)")
    try:
        start_time = time.fromisoformat(at.strip())
    except ValueError:
        problems.append(f"time: {at!r} is not a time (HH:MM)")
    if problems:
        raise InvalidInputError("cannot schedule the defence", problems)
    return datetime.combine(start_day, start_time, OFFICE_TZ).astimezone(UTC)


def schedule_by_day(slots: Sequence[DefenceSlot]) -> dict[str, list[DefenceSlot]]:
    """The slots by Beijing day, each day's by start time."""
    days: dict[str, list[DefenceSlot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: _aware(s.starts_at)):
        days[_local(slot).date().isoformat()].append(slot)
    return dict(days)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _local(slot: DefenceSlot) -> datetime:
    """The slot's start in Beijing time."""
    return _aware(slot.starts_at).astimezone(OFFICE_TZ)


@router.get("/defence")
def defence(cycle_id: int, request: Request, page: AdminPage, day: str = "") -> Response:
    return _defence(request, page, cycle_running(page.session, cycle_id, "defence"), day=day)


def _defence(request: Request, page: AdminPage, cycle: AwardCycle, *, day: str = "",
             status: int = 200, **context: Any) -> Response:
    slots = list(page.session.scalars(select(DefenceSlot).join(Application).where(
        Application.cycle_id == cycle.id)))
    by_id = {s.application_id: s for s in slots}
    applications = in_states(page.session, cycle, (ApplicationState.DEFENCE,), list(by_id))
    days = schedule_by_day(slots)
    return render(request, "admin/shenzhen/defence.html", user=page.user, csrf=page.csrf,
                  status=status, cycle=cycle, waiting=[a for a in applications
                                                       if a.state == ApplicationState.DEFENCE],
                  titles={a.id: a for a in applications}, slots=by_id,
                  days={d: s for d, s in days.items() if not day or d == day},
                  all_days=list(days), day=day, panels={a.id: assignments_of(
                      page.session, application_id=a.id, stage=ReviewStage.DEFENCE.value)
                      for a in applications},
                  local=_local, ends=lambda s: _local(s) + timedelta(minutes=s.minutes),
                  class_name=class_name, **context)


@router.post("/defence/{application_id}")
def defence_schedule(cycle_id: int, application_id: int, request: Request,
                     page: AdminPage, form: Form) -> Response:
    cycle = cycle_running(page.session, cycle_id, "defence")
    application = application_of(page.session, cycle, application_id)
    entered = {k: text(form, k) for k in ("day", "time", "minutes", "room")}
    try:
        minutes = entered["minutes"].strip()
        if not minutes.lstrip("-").isdigit():
            raise InvalidInputError("cannot schedule the defence",
                                    [f"minutes: {minutes!r} is not a whole number"])
        with page.session.begin_nested():
            slot = procedure.schedule_defence(
                page.session, application, _starts_at(entered["day"], entered["time"]),
                int(minutes), entered["room"].strip())
    except DomainError as refused:
        return _defence(request, page, cycle, status=status_of(refused),
                        refused={application.id: said(refusal_of(refused), language(request))},
                        entered={application.id: entered})
    audit.append(page.session, actor=page.user.email, trigger="schedule_defence",
                 application_id=application.id,
                 reason=f"答辩时间 {office_time(slot.starts_at)}（北京时间），"
                        f"{slot.minutes} 分钟，{slot.room or '未定地点'}",
                 data={"starts_at": slot.starts_at.isoformat(), "minutes": slot.minutes,
                       "room": slot.room})
    return back_to(f"/admin/cycles/{cycle.id}/defence#slot-{application.id}")


# --- social evaluation (社会评价) --------------------------------------------------------


@router.get("/social")
def social(cycle_id: int, request: Request, page: AdminPage) -> Response:
    return _social(request, page, cycle_running(page.session, cycle_id, "social_evaluation"))


def _social(request: Request, page: AdminPage, cycle: AwardCycle, *, status: int = 200,
            **context: Any) -> Response:
    records = {r.application_id: r for r in page.session.scalars(
        select(SocialEvaluation).join(Application).where(Application.cycle_id == cycle.id))}
    applications = in_states(page.session, cycle, (ApplicationState.SOCIAL_EVALUATION,),
                             list(records))
    by_class: dict[str, list[Application]] = {}
    for application in applications:
        by_class.setdefault(application.award_class, []).append(application)
    recorders = {u.id: u.name for u in page.session.scalars(select(User).where(
        User.id.in_({r.recorded_by for r in records.values()})))}
    return render(request, "admin/shenzhen/social.html", user=page.user, csrf=page.csrf,
                  status=status, cycle=cycle, by_class=by_class, records=records,
                  recorders=recorders, class_name=class_name, **context)


@router.post("/social/{application_id}")
def social_record(cycle_id: int, application_id: int, request: Request, page: AdminPage,
                  form: Form) -> Response:
    cycle = cycle_running(page.session, cycle_id, "social_evaluation")
    application = application_of(page.session, cycle, application_id)
    entered = {k: text(form, k) for k in ("satisfaction", "respondents", "method")}
    try:
        respondents = entered["respondents"].strip()
        if not respondents.lstrip("-").isdigit():
            raise InvalidInputError("cannot record the social evaluation",
                                    [f"respondents: {respondents!r} is not a whole number"])
        with page.session.begin_nested():
            record = procedure.record_social_evaluation(
                page.session, application, page.user, satisfaction=entered["satisfaction"],
                respondents=int(respondents), method=entered["method"].strip())
    except DomainError as refused:
        return _social(request, page, cycle, status=status_of(refused),
                       refused={application.id: said(refusal_of(refused), language(request))},
                       entered={application.id: entered})
    audit.append(page.session, actor=page.user.email, trigger="record_social_evaluation",
                 application_id=application.id,
                 reason=f"满意度 {points(record.satisfaction)}%，受访 {record.respondents} 人"
                        f"（{record.method}）",
                 data={"satisfaction": str(record.satisfaction),
                       "respondents": record.respondents, "method": record.method})
    return back_to(f"/admin/cycles/{cycle.id}/social#social-{application.id}")
