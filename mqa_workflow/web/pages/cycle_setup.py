"""Cycle set-up in the browser (评审周期设置): create a cycle and edit its deadlines and
rules in one form. Every field is checked by the loader's own check
(``cycles.service.cycle_problems``, with the Shenzhen calendar and eligibility rules of
``procedure.service.setup_problems``), every problem shown beside its field, and nothing
is stored while one remains.

The form's field names are the problems' field names ("rules.award_quotas.economic.grand"),
so a problem finds its field without a table of its own."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from mqa_workflow.clock import office_today
from mqa_workflow.cycles.models import STAGES, AwardCycle, AwardQuota, CycleRules
from mqa_workflow.cycles.service import Problem, cycle_problems, get_cycle
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.procedure.eligibility import EligibilityRules
from mqa_workflow.procedure.service import create_checked_cycle, setup_problems
from mqa_workflow.reviews.assignment_service import edit_cycle
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.web.pages.deps import AdminPage, Form, text
from mqa_workflow.web.pages.rendering import back_to, render
from mqa_workflow.web.phrases_setup import CLASS_LABELS

router = APIRouter(prefix="/admin/cycle-setup")

# The rules the form shows, in its order, with their labels; the rest of a cycle's rules
# (percentage steps, the selection attribute) are kept as they are.
NUMBERS = (
    ("reviewers_per_application", "Reviewers per application"),
    ("site_visit_team_size", "Site-visit team size"),
    ("site_visits_per_class", "Site visits per class"),
    ("correction_days", "Correction period (days)"),
    ("consensus_threshold", "Consensus threshold (percentage points)"),
    ("committee_quorum", "Committee quorum"),
    ("committee_majority", "Committee majority"),
    ("conflict_window_years", "Conflict window (years)"),
    ("escalation_grace_days", "Escalation grace (days)"),
)
SHENZHEN_NUMBERS = (
    ("defence_panel_size", "Defence panel size"),
    ("candidates_per_class", "Candidates per class"),
    ("selection_cap", "Selection cap per group"),
    ("notice_working_days", "Notice period (working days)"),
)
BLANK_IS_NONE = {"candidates_per_class", "selection_cap"}
BOOLEANS = (("competitor_conflicts", "Competitors are conflicts"),
            ("blind_committee", "Blind committee"))
WEIGHTED = (("document_review", "Document review"), ("site_visit", "Site visit"),
            ("defence", "Defence"), ("social_evaluation", "Social evaluation"))
OPTIONAL_STAGES = (("defence", "Defence"), ("social_evaluation", "Social evaluation"),
                   ("public_notice", "Public notice"))
CALENDAR = (("holidays", "Extra holidays (one date or range a line)"),
            ("working_weekends", "Working weekends (one date a line)"))
ELIGIBILITY = (("min_years_registered", "Years registered in Shenzhen"),
               ("penalty_free_years", "Years without penalties"),
               ("accident_free_years", "Years without serious accidents"),
               ("award_waiting_years", "Years since a past award"))


def _shown(value: Any) -> str:
    """A rule as the office writes it: a share like the default quorum (2/3) as "2/3",
    not 0.6666666666666666 (and read back as exactly the same number)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 20 percentage points, not 20.0
    if isinstance(value, float) and len(repr(value)) > 8:
        share = Fraction(value).limit_denominator(12)
        if float(share) == value:
            return f"{share.numerator}/{share.denominator}"
    return "" if value is None else str(value)


SHARE = re.compile(r"(\d+)\s*/\s*([1-9]\d*)")


def _number(text: str) -> str | float:
    """A share written "2/3" as its number; any other text as written (the loader says
    what is wrong with it)."""
    share = SHARE.fullmatch(text)
    return float(Fraction(int(share[1]), int(share[2]))) if share else text


def values_of(year: int, name: str, classes: list[str], deadlines: dict[str, Any],
              rules: CycleRules) -> dict[str, Any]:
    """A cycle's set-up as the form's fields hold it (text, or a list for the ticks)."""
    values: dict[str, Any] = {"year": str(year), "name": name, "classes": list(classes),
                              "rules.optional_stages": list(rules.optional_stages)}
    values |= {f"deadlines.{stage}": deadlines.get(stage) or "" for stage in STAGES}
    for field, _ in (*NUMBERS, *SHENZHEN_NUMBERS):
        values[f"rules.{field}"] = _shown(getattr(rules, field))
    for field, _ in BOOLEANS:
        values[f"rules.{field}"] = getattr(rules, field)
    for stage, _ in WEIGHTED:
        values[f"rules.score_weights.{stage}"] = _shown(rules.score_weights.get(stage))
    for award_class in CLASS_IDS:
        quota = rules.quota(award_class)
        values[f"rules.award_quotas.{award_class}.grand"] = str(quota.grand)
        values[f"rules.award_quotas.{award_class}.encouragement"] = str(quota.encouragement)
    values["rules.reminder_offsets_days"] = ", ".join(str(d) for d in
                                                      rules.reminder_offsets_days)
    for key, _ in CALENDAR:
        values[f"rules.calendar.{key}"] = "\n".join(str(d) for d in
                                                    rules.calendar.get(key, []))
    try:
        eligibility: EligibilityRules | None = EligibilityRules.model_validate(
            rules.eligibility)
    except ValidationError:  # shown as stored, beside its problem
        eligibility = None
    for key, _ in ELIGIBILITY:
        stored = rules.eligibility.get(key, getattr(eligibility, key, None))
        values[f"rules.eligibility.{key}"] = _shown(stored)
    return values


def posted_values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: text(form, name) for name in form if name != "csrf_token"}
    values["classes"] = [v for v in form.getlist("classes") if isinstance(v, str)]
    values["rules.optional_stages"] = [v for v in form.getlist("rules.optional_stages")
                                       if isinstance(v, str)]
    for field, _ in BOOLEANS:
        values[f"rules.{field}"] = text(form, f"rules.{field}") == "on"
    return values


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("，", ",").replace(",", "\n").splitlines()
            if line.strip()]


def rules_from(values: dict[str, Any], kept: dict[str, Any], classes: list[str]
               ) -> dict[str, Any]:
    """The rules as the loader reads them, from the form's text: the text goes to the
    loader as written (it says what is not a number), blanks are "not set"."""
    rules = dict(kept)
    for field, _ in (*NUMBERS, *SHENZHEN_NUMBERS):
        value = values.get(f"rules.{field}", "").strip()
        if value or field in BLANK_IS_NONE:
            rules[field] = _number(value) if value else None
        else:
            rules.pop(field, None)
    for field, _ in BOOLEANS:
        rules[field] = bool(values.get(f"rules.{field}"))
    rules["score_weights"] = {stage: values[f"rules.score_weights.{stage}"].strip()
                              for stage, _ in WEIGHTED
                              if values.get(f"rules.score_weights.{stage}", "").strip()}
    rules["award_quotas"] = {
        award_class: {kind: values.get(f"rules.award_quotas.{award_class}.{kind}", "").strip()
                      for kind in ("grand", "encouragement")}
        for award_class in CLASS_IDS if award_class in classes}
    rules["reminder_offsets_days"] = _lines(values.get("rules.reminder_offsets_days", ""))
    rules["optional_stages"] = list(values.get("rules.optional_stages", []))
    calendar = {k: v for k, v in dict(kept.get("calendar") or {}).items()
                if k not in dict(CALENDAR)}
    for key, _ in CALENDAR:
        entries = [line.strip() for line in values.get(f"rules.calendar.{key}", "")
                   .splitlines() if line.strip()]
        if entries:
            calendar[key] = entries
    rules["calendar"] = calendar
    rules["eligibility"] = dict(kept.get("eligibility") or {}) | {
        key: (values.get(f"rules.eligibility.{key}", "").strip() or None)
        for key, _ in ELIGIBILITY}
    return rules


def deadlines_from(values: dict[str, Any]) -> tuple[dict[str, date], list[Problem]]:
    deadlines, problems = {}, []
    for stage in STAGES:
        value = values.get(f"deadlines.{stage}", "").strip()
        if not value:
            continue
        try:
            deadlines[stage] = date.fromisoformat(value)
        except ValueError:
            problems.append(Problem(f"deadlines.{stage}", f"deadlines: {stage}: {value!r} is "
                                    "not a date (YYYY-MM-DD)", "请按 YYYY-MM-DD 填写日期"))
    return deadlines, problems


def all_problems(year_text: str, classes: list[str], deadlines: dict[str, date],
                 rules: dict[str, Any], date_problems: list[Problem]) -> list[Problem]:
    """Every problem of the form at once: the loader's check, then the Shenzhen rules."""
    try:
        year = int(year_text)
    except ValueError:
        year = 0
    checked, problems = cycle_problems(year, classes, deadlines, rules)
    if checked is not None:
        problems += setup_problems(checked)
    if not year_text.strip().isdigit():
        problems = [p for p in problems if p.field != "year"]
        problems.insert(0, Problem("year", f"year {year_text!r} is not a year", "请填写年份"))
    return date_problems + problems


def _stored(rules: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """The rules once checked, as they are kept: the eligibility rules as numbers (the
    loader keeps that mapping as given), and what the form shows at its default left
    as it was stored, so an untouched field is not recorded as a change."""
    eligibility = EligibilityRules.model_validate(rules["eligibility"])
    if eligibility == EligibilityRules.model_validate(kept.get("eligibility") or {}):
        eligibility_kept = kept.get("eligibility") or {}
    else:
        eligibility_kept = eligibility.model_dump()
    quotas = {award_class: quota for award_class, quota in rules["award_quotas"].items()
              if AwardQuota.model_validate(quota) != AwardQuota()
              or award_class in (kept.get("award_quotas") or {})}
    return rules | {"eligibility": eligibility_kept, "award_quotas": quotas}


def _form(request: Request, page: AdminPage, *, values: dict[str, Any],
          cycle: AwardCycle | None, problems: list[Problem], saved: bool = False,
          status: int = 200) -> Response:
    return render(request, "admin/cycle_setup.html", user=page.user, csrf=page.csrf,
                  cycle=cycle, values=values, problems=problems, saved=saved,
                  status=status, stages=STAGES, class_ids=CLASS_IDS, class_labels=CLASS_LABELS,
                  numbers=NUMBERS, shenzhen_numbers=SHENZHEN_NUMBERS, booleans=BOOLEANS,
                  weighted=WEIGHTED, optional_stages=OPTIONAL_STAGES, calendar=CALENDAR,
                  eligibility=ELIGIBILITY)


@router.get("/new")
def new_cycle(request: Request, page: AdminPage) -> Response:
    year = office_today().year + 1
    values = values_of(year, f"{year}年度深圳市市长质量奖", list(CLASS_IDS), {}, CycleRules())
    return _form(request, page, values=values, cycle=None, problems=[])


@router.post("/new")
def create(request: Request, page: AdminPage, form: Form) -> Response:
    values = posted_values(form)
    deadlines, date_problems = deadlines_from(values)
    rules = rules_from(values, {}, values["classes"])
    problems = all_problems(values.get("year", ""), values["classes"], deadlines, rules,
                            date_problems)
    if problems:
        return _form(request, page, values=values, cycle=None, problems=problems,
                     status=422)
    cycle = create_checked_cycle(page.session, year=int(values["year"]),
                                 classes=values["classes"], deadlines=deadlines,
                                 rules=_stored(rules, {}),
                                 name=values.get("name"), actor=page.user.email)
    return back_to(f"/admin/cycle-setup/{cycle.id}?saved=1")


@router.get("/{cycle_id}")
def edit(cycle_id: int, request: Request, page: AdminPage, saved: int = 0) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    values = values_of(cycle.year, cycle.name, cycle.classes, cycle.deadlines, cycle.rules)
    return _form(request, page, values=values, cycle=cycle, problems=[], saved=bool(saved))


@router.post("/{cycle_id}")
def save(cycle_id: int, request: Request, page: AdminPage, form: Form) -> Response:
    cycle = get_cycle(page.session, cycle_id)
    values = posted_values(form) | {"year": str(cycle.year), "classes": cycle.classes}
    deadlines, date_problems = deadlines_from(values)
    rules = rules_from(values, cycle.rules_data, cycle.classes)
    problems = all_problems(str(cycle.year), cycle.classes, deadlines, rules, date_problems)
    if problems:
        return _form(request, page, values=values, cycle=cycle, problems=problems,
                     status=422)
    try:
        edit_cycle(page.session, cycle, deadlines=deadlines, rules=_stored(rules, cycle.rules_data),
                   name=values.get("name"), actor=page.user.email)
    except InvalidInputError as refused:  # the name taken meanwhile: shown as the rest
        return _form(request, page, values=values, cycle=cycle, status=422,
                     problems=[Problem("name", p) for p in refused.problems])
    return back_to(f"/admin/cycle-setup/{cycle.id}?saved=1")
