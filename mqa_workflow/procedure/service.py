"""The Shenzhen procedure's stages as domain functions: the pure rules beside them
(``calendar``, ``eligibility``, ``notice``) decide, these store the results and evidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import now, office_today
from mqa_workflow.cycles.models import AwardCycle, CycleRules
from mqa_workflow.cycles.service import Problem, create_cycle, cycle_problems
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.procedure.calendar import (
    CalendarError,
    WorkingCalendar,
    calendar_from_mapping,
    official_calendar,
)
from mqa_workflow.procedure.eligibility import (
    Accident,
    ApplicantFacts,
    EligibilityRules,
    Outcome,
    PastAward,
    Penalty,
    check_eligibility,
)
from mqa_workflow.procedure.models import (
    DefenceSlot,
    EligibilityReview,
    Objection,
    ObjectionStatus,
    PublicNotice,
    SocialEvaluation,
)
from mqa_workflow.translations.message import Moment, Word, refusal


def _require_state(application: Application, state: ApplicationState) -> None:
    if application.state != state:
        raise ConflictError(refusal("application %(application)s is %(state)s, not in "
                                    "%(wanted)s", application=application.id,
                                    state=Word("state", str(application.state)),
                                    wanted=Word("state", str(state))))



# --- defence (集中答辩) ------------------------------------------------------------------


def schedule_defence(session: Session, application: Application, starts_at: datetime,
                     minutes: int = 30, room: str = "") -> DefenceSlot:
    """Book a presentation slot; slots of one class and room never overlap."""
    _require_state(application, ApplicationState.DEFENCE)
    if minutes < 5:
        raise InvalidInputError(refusal("a defence slot of %(minutes)s minutes is too short",
                                        minutes=minutes))
    ends_at = starts_at.timestamp() + minutes * 60
    for other in session.scalars(select(DefenceSlot).join(Application).where(
            Application.cycle_id == application.cycle_id,
            Application.award_class == application.award_class,
            DefenceSlot.application_id != application.id, DefenceSlot.room == room)):
        other_end = other.starts_at.timestamp() + other.minutes * 60
        if starts_at.timestamp() < other_end and other.starts_at.timestamp() < ends_at:
            raise ConflictError(refusal(
                "the slot overlaps application %(application)s's defence at %(at)s",
                application=other.application_id, at=Moment(other.starts_at)))
    slot = session.get(DefenceSlot, application.id) or DefenceSlot(
        application_id=application.id)
    slot.starts_at, slot.minutes, slot.room = starts_at, minutes, room
    session.add(slot)
    session.flush()
    return slot


# --- social evaluation (社会评价) --------------------------------------------------------


def record_social_evaluation(session: Session, application: Application, recorder: User, *,
                             satisfaction: str | Decimal, respondents: int,
                             method: str) -> SocialEvaluation:
    _require_state(application, ApplicationState.SOCIAL_EVALUATION)
    problems = []
    try:
        value = Decimal(str(satisfaction))
        if not Decimal(0) <= value <= Decimal(100):
            problems.append(refusal("satisfaction %(value)s is out of range; give a "
                                    "percentage 0–100", value=value))
    except InvalidOperation:
        problems.append(refusal("satisfaction %(value)s is not a number",
                                value=repr(satisfaction)))
        value = Decimal(0)
    if respondents < 1:
        problems.append(refusal("respondents: at least one respondent"))
    if not method.strip():
        problems.append(refusal("method: say how the evaluation was carried out"))
    if problems:
        raise InvalidInputError(refusal("cannot record the social evaluation"), problems)
    record = session.get(SocialEvaluation, application.id) or SocialEvaluation(
        application_id=application.id)
    record.satisfaction, record.respondents, record.method = value, respondents, method
    record.recorded_by = recorder.id
    session.add(record)
    session.flush()
    return record


# --- the cycle's own Shenzhen rules, checked when it is set up ----------------------------


def setup_problems(rules: CycleRules) -> list[Problem]:
    """What the cycle's rules hold for these stages that only they can read: the working
    calendar (``calendar``) and the eligibility rules (``eligibility``). Checked with the
    loader's own check (``cycles.service.cycle_problems``) by ``mqa cycle create`` and the
    set-up form alike, so a bad date is refused then, not when the notice is published."""
    problems = []
    if rules.calendar:
        try:
            calendar_from_mapping(rules.calendar)
        except CalendarError as error:
            problems += [Problem("rules.calendar", f"rules: calendar: {p}", f"工作日历：{p}")
                         for p in error.problems]
    try:
        EligibilityRules.model_validate(rules.eligibility)
    except ValidationError as error:
        for e in error.errors():
            where = ".".join(str(p) for p in e["loc"])
            problems.append(Problem(f"rules.eligibility.{where}",
                                    f"rules: eligibility.{where}: {e['msg']}", e["msg"]))
    return problems


def create_checked_cycle(session: Session, *, year: int, classes: Sequence[str],
                         deadlines: Mapping[str, date], rules: Mapping[str, Any],
                         name: str | None, actor: str) -> AwardCycle:
    """A new cycle from the command line or the set-up form: the loader's check, then
    the calendar and eligibility rules, every problem at once; audited."""
    checked, problems = cycle_problems(year, classes, deadlines, rules)
    if checked is not None:
        problems += setup_problems(checked)
    if problems:
        raise InvalidInputError("cannot create the cycle", [p.text for p in problems])
    cycle = create_cycle(session, year=year, classes=classes, deadlines=deadlines,
                         rules=rules, name=name)
    audit.append(session, actor=actor, trigger="create_cycle",
                 reason=f"cycle {cycle.name} created",
                 data={"cycle": cycle.id, "classes": cycle.classes,
                       "deadlines": cycle.deadlines})
    return cycle


# --- public notice (公示) and objections (异议) -------------------------------------------


def notice_calendar(data: dict[str, list[str]]) -> WorkingCalendar:
    """The published mainland China calendar with the cycle's own days (its ``calendar``
    rule, e.g. an office closure or a year not yet published) taking precedence."""
    official = official_calendar()
    return official.overridden_by(calendar_from_mapping(data)) if data else official


def publish_notice(session: Session, application: Application, award: str,
                   closes_on: date) -> PublicNotice:
    notice = PublicNotice(application_id=application.id, proposed_award=award,
                          published_on=office_today(), closes_on=closes_on)
    session.add(notice)
    return notice


def file_objection(session: Session, application: Application, *, filed_by: str,
                   grounds: str, evidence: Sequence[str]) -> Objection:
    notice = session.get(PublicNotice, application.id)
    if application.state != ApplicationState.PUBLIC_NOTICE or notice is None:
        raise ConflictError(refusal("application %(application)s is not under public notice",
                                    application=application.id))
    today = office_today()
    problems = []
    if today > notice.closes_on:
        problems.append(refusal("the notice closed on %(closed_on)s; objections are taken "
                                "only while it is open",
                                closed_on=notice.closes_on.isoformat()))
    if not grounds.strip():
        problems.append(refusal("grounds: say what the objection is"))
    if not [item for item in evidence if item.strip()]:
        problems.append(refusal("evidence: an objection needs evidence"))
    if not filed_by.strip():
        problems.append(refusal("filed_by: an objection needs a name (kept confidential)"))
    if problems:
        raise InvalidInputError(refusal("the objection is refused"), problems)
    objection = Objection(application_id=application.id, filed_on=today, filed_by=filed_by,
                          grounds=grounds, evidence=[e for e in evidence if e.strip()])
    session.add(objection)
    session.flush()
    return objection


def resolve_objection(session: Session, objection: Objection, admin: User, *, uphold: bool,
                      reason: str) -> Objection:
    if objection.status != ObjectionStatus.OPEN:
        raise ConflictError(refusal("objection %(objection)s is already %(status)s",
                                    objection=objection.id,
                                    status=Word("objection", str(objection.status))))
    if not reason.strip():
        raise InvalidInputError(
            refusal("resolving an objection needs the investigation's finding"))
    objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = reason, admin.id, now()
    session.flush()
    return objection


def proposed_award_count(session: Session, cycle_id: int, award_class: str, award: str,
                         excluding: int | None = None) -> int:
    """Awards of a class proposed under notice (they count against the quota), leaving
    out the application ``excluding`` (its own award never uses its own place)."""
    return len(session.scalars(select(PublicNotice.application_id).join(Application).where(
        Application.cycle_id == cycle_id, Application.award_class == award_class,
        Application.state == ApplicationState.PUBLIC_NOTICE, PublicNotice.proposed_award == award,
        Application.id != (excluding or 0))).all())



# --- eligibility (资格审核) --------------------------------------------------------------


def facts_from_data(award_class: str, data: Mapping[str, Any]) -> ApplicantFacts:
    """Applicant facts from plain data; a key left out means "not checked" (unknown)."""
    problems: list[str] = []

    def day(value: object, where: str) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
            return date.min

    def many(key: str, build: Callable[[Mapping[str, Any], str], Any]) -> tuple[Any, ...] | None:
        if key not in data:
            return None
        entries = data[key]
        if not isinstance(entries, list):
            problems.append(f"{key}: must be a list")
            return None
        return tuple(build(entry, f"{key}[{n}]") for n, entry in enumerate(entries))

    registered = data.get("registered_on")
    facts = ApplicantFacts(
        applying_for=award_class,
        registered_on=day(registered, "registered_on") if registered else None,
        penalties=many("penalties", lambda e, w: Penalty(
            day(e.get("decided_on"), w), str(e.get("authority", "")),
            str(e.get("description", "")))),
        accidents=many("accidents", lambda e, w: Accident(
            day(e.get("occurred_on"), w), str(e.get("description", "")),
            bool(e.get("serious", True)))),
        past_awards=many("past_awards", lambda e, w: PastAward(
            int(e.get("year", 0)), str(e.get("class_id", "")), str(e.get("name", "市长质量奖")))),
    )
    if problems:
        raise InvalidInputError("the applicant facts are refused", problems)
    return facts


def run_eligibility_check(session: Session, application: Application,
                          facts_data: Mapping[str, Any]) -> EligibilityReview:
    """Check the cycle's eligibility rules against the facts and keep the evidence."""
    _require_state(application, ApplicationState.ELIGIBILITY_CHECK)
    try:
        rules = EligibilityRules.model_validate(application.cycle.rules.eligibility)
    except ValidationError as error:
        raise InvalidInputError("the cycle's eligibility rules are invalid",
                                [str(e["msg"]) for e in error.errors()]) from None
    report = check_eligibility(rules, facts_from_data(application.award_class, facts_data),
                               office_today())
    review = session.get(EligibilityReview, application.id) or EligibilityReview(
        application_id=application.id)
    review.facts = dict(facts_data)
    review.report = {"as_of": report.as_of.isoformat(), "outcome": report.outcome.value,
                     "results": [{"rule": r.rule, "title": r.title, "status": r.status.value,
                                  "evidence": r.evidence} for r in report.results]}
    review.passed = {Outcome.ELIGIBLE: True, Outcome.INELIGIBLE: False}.get(report.outcome)
    review.checked_at = now()
    session.add(review)
    session.flush()
    return review


# --- eligibility facts in bulk ----------------------------------------------------------

# One row per fact; an application's rows together are its facts, checked at once. KIND:
#   registered    DATE = registration in Shenzhen (商事登记)
#   penalty       DATE, AUTHORITY, DESCRIPTION        (行政处罚)
#   accident      DATE, DESCRIPTION, SERIOUS (是/否)  (质量安全事故)
#   past_award    YEAR, CLASS, DESCRIPTION (the award's name)
#   no_penalties / no_accidents / no_past_awards   checked, and none found
# A list with no row at all stays "not checked" (the rule is then unknown).
FACT_COLUMNS = ("application", "kind", "date", "authority", "description", "serious",
                "year", "class")
FACT_TEMPLATE_ROWS = (
    ("1", "registered", "2015-06-01", "", "", "", "", ""),
    ("1", "penalty", "2023-04-12", "深圳市市场监督管理局", "标签不规范，责令改正", "", "", ""),
    ("1", "no_accidents", "", "", "", "", "", ""),
    ("1", "past_award", "", "", "市长质量奖鼓励奖", "", "2019", "economic"),
)
_FACT_LISTS = {"penalty": "penalties", "accident": "accidents", "past_award": "past_awards"}
_NONE_FOUND = {"no_penalties": "penalties", "no_accidents": "accidents",
               "no_past_awards": "past_awards"}


def _fact(kind: str, row: Mapping[str, str]) -> tuple[dict[str, Any] | str | None, list[str]]:
    """One row as its entry (a date for ``registered``), and what is wrong with it."""
    problems = []
    day = (row.get("date") or "")[:10]  # spreadsheets hand dates with a time
    if kind in ("registered", "penalty", "accident"):
        try:
            date.fromisoformat(day)
        except ValueError:
            problems.append(f"date {day!r}: 请按 YYYY-MM-DD 填写 (write YYYY-MM-DD)")
    if kind == "registered":
        return day, problems
    if kind == "penalty":
        if not (row.get("authority") or "").strip():
            problems.append("authority is missing: 请填写处罚机关")
        return {"decided_on": day, "authority": row.get("authority", "").strip(),
                "description": row.get("description", "").strip()}, problems
    if kind == "accident":
        serious = (row.get("serious") or "是").strip().lower()
        if serious not in ("是", "否", "yes", "no", "1", "0"):
            problems.append(f"serious {serious!r}: 是 or 否")
        return {"occurred_on": day, "description": row.get("description", "").strip(),
                "serious": serious in ("是", "yes", "1")}, problems
    year = (row.get("year") or "").strip()
    if not year.isdigit():
        problems.append(f"year {year!r}: the award's year, e.g. 2019")
    return {"year": int(year) if year.isdigit() else 0, "class_id": row.get("class", ""),
            "name": row.get("description", "").strip() or "市长质量奖"}, problems


def import_facts(session: Session, rows: Sequence[Mapping[str, str]]
                 ) -> list[EligibilityReview]:
    """Check the eligibility of every application named in ``rows`` against its facts
    (``mqa eligibility check`` for each). Every bad row is reported with its number (the
    header is row 1) and nothing is kept unless all are good."""
    outer = session.begin_nested()  # a refusal leaves nothing, whatever the caller does
    problems: list[str] = []
    facts: dict[int, dict[str, Any]] = {}
    first_row: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        ref, kind = (row.get("application") or "").strip(), (row.get("kind") or "").strip()
        application = session.get(Application, int(ref)) if ref.isdigit() else None
        wrong = [] if application else [f"no application {ref!r} (无此申报编号)"]
        known = ("registered", *_FACT_LISTS, *_NONE_FOUND)
        if kind not in known:
            wrong.append(f"kind {kind!r}: one of {', '.join(known)}")
        elif application is not None:
            data = facts.setdefault(application.id, {})
            first_row.setdefault(application.id, number)
            if kind in _NONE_FOUND:
                data.setdefault(_NONE_FOUND[kind], [])
            else:
                entry, wrong = _fact(kind, row)
                if kind == "registered":
                    data["registered_on"] = entry
                else:
                    data.setdefault(_FACT_LISTS[kind], []).append(entry)
        problems += [f"row {number}: {p}" for p in wrong]
    reviews = []
    if not problems:
        for application_id, data in facts.items():
            try:
                with session.begin_nested():
                    reviews.append(run_eligibility_check(
                        session, session.get(Application, application_id), data))
            except (InvalidInputError, ConflictError) as refused:
                problems += [f"row {first_row[application_id]}: {p}"
                             for p in refused.problems or [refused.message]]
    if problems:
        outer.rollback()
        raise InvalidInputError("nothing was imported; fix these rows", problems)
    if not reviews:
        outer.rollback()
        raise InvalidInputError("nothing to import: the file has no rows")
    outer.commit()
    return reviews
