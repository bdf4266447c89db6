"""Eligibility rules as data per cycle, checked automatically with the evidence shown.

The checker never decides: it reports, for every rule of the cycle, whether the
applicant's facts pass, fail or cannot be judged (a fact is missing), with a
sentence an administrator can verify against the documents. The administrator
then confirms, returns the application for correction, or declares it
ineligible (``decide``); a decision against the automatic result needs a
written reason, so every override can be audited.

Date arithmetic follows the Civil Code (民法典 第二百零二条): a period of years
ends on the corresponding day; with no such day (29 February) it ends on the
last day of that month. "In the last N years" means on or after the day N
years before the check date; an event dated after the check date counts too
(it is certainly recent, and an administrator must see it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class EligibilityRules(BaseModel):
    """A cycle's eligibility rules; ``None`` switches a rule off for the cycle."""

    # A typo'd key in a cycle's rules must fail loudly, not switch a rule off.
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_years_registered: int | None = Field(default=3, ge=0)
    penalty_free_years: int | None = Field(default=1, ge=1)
    accident_free_years: int | None = Field(default=3, ge=1)
    # Not an awardee of the same class within this many years; no default in the
    # 2021 rules we can cite, so the cycle states it.
    award_waiting_years: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class Penalty:
    """An administrative penalty (行政处罚) on record."""

    decided_on: date
    authority: str
    description: str


@dataclass(frozen=True)
class Accident:
    """A quality or safety accident; only serious ones (重大) bar an applicant."""

    occurred_on: date
    description: str
    serious: bool = True


@dataclass(frozen=True)
class PastAward:
    year: int
    class_id: str
    name: str = "市长质量奖"


@dataclass(frozen=True)
class ApplicantFacts:
    """What is known about an applicant. ``None`` means not declared or not verified
    (the rule is then *unknown*); an empty tuple means checked and none found."""

    applying_for: str  # the award class of this application
    registered_on: date | None = None  # registration in Shenzhen (商事登记)
    penalties: tuple[Penalty, ...] | None = None
    accidents: tuple[Accident, ...] | None = None
    past_awards: tuple[PastAward, ...] | None = None


class RuleStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # a fact the rule needs is missing
    NOT_APPLIED = "not_applied"  # the cycle switched the rule off


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"  # nothing failed, but something could not be checked


@dataclass(frozen=True)
class RuleResult:
    rule: str  # the EligibilityRules field name
    title: str
    status: RuleStatus
    evidence: str


@dataclass(frozen=True)
class EligibilityReport:
    as_of: date
    results: tuple[RuleResult, ...]

    @property
    def outcome(self) -> Outcome:
        statuses = {result.status for result in self.results}
        if RuleStatus.FAILED in statuses:
            return Outcome.INELIGIBLE
        if RuleStatus.UNKNOWN in statuses:
            return Outcome.UNKNOWN
        return Outcome.ELIGIBLE

    def with_status(self, status: RuleStatus) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if result.status is status)

    def result(self, rule: str) -> RuleResult:
        return next(result for result in self.results if result.rule == rule)


def check_eligibility(
    rules: EligibilityRules, facts: ApplicantFacts, as_of: date
) -> EligibilityReport:
    """Every rule of the rule set, in a fixed order, with its status and evidence."""
    return EligibilityReport(
        as_of,
        (
            _registration(rules.min_years_registered, facts.registered_on, as_of),
            _penalties(rules.penalty_free_years, facts.penalties, as_of),
            _accidents(rules.accident_free_years, facts.accidents, as_of),
            _awards(rules.award_waiting_years, facts.past_awards, facts.applying_for, as_of),
        ),
    )


# --- the four rules ---------------------------------------------------------------------

_TITLES = {
    "min_years_registered": "registered in Shenzhen long enough",
    "penalty_free_years": "no administrative penalty recently",
    "accident_free_years": "no serious quality or safety accident recently",
    "award_waiting_years": "not a recent awardee of the same class",
}


def _result(rule: str, status: RuleStatus, evidence: str) -> RuleResult:
    return RuleResult(rule, _TITLES[rule], status, evidence)


def _off(rule: str) -> RuleResult:
    return _result(rule, RuleStatus.NOT_APPLIED, "the cycle does not apply this rule")


def _registration(years: int | None, registered_on: date | None, as_of: date) -> RuleResult:
    rule = "min_years_registered"
    if years is None:
        return _off(rule)
    asks = f"the rule asks for {_plural(years, 'year')}"
    if registered_on is None:
        return _result(rule, RuleStatus.UNKNOWN, f"no registration date in Shenzhen given; {asks}")
    if registered_on > as_of:
        return _result(
            rule, RuleStatus.FAILED,
            f"registered in Shenzhen on {registered_on}, after {as_of}; {asks}",
        )
    held = _duration(registered_on, as_of)
    passed = add_years(registered_on, years) <= as_of
    return _result(
        rule, RuleStatus.PASSED if passed else RuleStatus.FAILED,
        f"registered in Shenzhen on {registered_on}: {held} before {as_of}; {asks}",
    )


def _window(years: int, as_of: date) -> tuple[date, str]:
    """The first day a record-free rule looks at, and the window in words."""
    since = add_years(as_of, -years)
    return since, f"since {since} (within {_plural(years, 'year')} before {as_of})"


def _unchecked(rule: str, record: str, window: str) -> RuleResult:
    return _result(rule, RuleStatus.UNKNOWN, f"{record} not checked; the rule looks {window}")


def _penalties(
    years: int | None, penalties: Sequence[Penalty] | None, as_of: date
) -> RuleResult:
    rule = "penalty_free_years"
    if years is None:
        return _off(rule)
    since, window = _window(years, as_of)
    if penalties is None:
        return _unchecked(rule, "penalty record", window)
    recent = sorted((p for p in penalties if p.decided_on >= since), key=lambda p: p.decided_on)
    if recent:
        listed = "; ".join(f"{p.decided_on} {p.authority}: {p.description}" for p in recent)
        return _result(
            rule, RuleStatus.FAILED,
            f"{_plural(len(recent), 'administrative penalty', 'administrative penalties')} "
            f"{window}: {listed}",
        )
    older = ""
    if penalties:
        older = f" ({_plural(len(penalties), 'older penalty', 'older penalties')} not counted)"
    return _result(rule, RuleStatus.PASSED, f"no administrative penalty {window}{older}")


def _accidents(
    years: int | None, accidents: Sequence[Accident] | None, as_of: date
) -> RuleResult:
    rule = "accident_free_years"
    if years is None:
        return _off(rule)
    since, window = _window(years, as_of)
    if accidents is None:
        return _unchecked(rule, "accident record", window)
    recent = [a for a in accidents if a.occurred_on >= since]
    serious = sorted((a for a in recent if a.serious), key=lambda a: a.occurred_on)
    if serious:
        listed = "; ".join(f"{a.occurred_on} {a.description}" for a in serious)
        return _result(
            rule, RuleStatus.FAILED,
            f"{_plural(len(serious), 'serious accident')} {window}: {listed}",
        )
    minor = len(recent) - len(serious)
    note = f" ({_plural(minor, 'accident')} on record, none serious)" if minor else ""
    return _result(rule, RuleStatus.PASSED, f"no serious quality or safety accident {window}{note}")


def _awards(
    years: int | None, awards: Sequence[PastAward] | None, class_id: str, as_of: date
) -> RuleResult:
    rule = "award_waiting_years"
    if years is None:
        return _off(rule)
    # An award of year Y bars the class until year Y + waiting years.
    asks = f"the rule asks for {_plural(years, 'year')} between awards of the same class"
    if awards is None:
        return _result(rule, RuleStatus.UNKNOWN, f"past awards not checked; {asks}")
    same = sorted((a for a in awards if a.class_id == class_id), key=lambda a: a.year)
    barring = [a for a in same if as_of.year - a.year < years]
    if barring:
        last = barring[-1]
        return _result(
            rule, RuleStatus.FAILED,
            f"awarded {last.name} ({class_id}) in {last.year}, {as_of.year - last.year} "
            f"year(s) before {as_of.year}; eligible again from {last.year + years}; {asks}",
        )
    if same:
        return _result(
            rule, RuleStatus.PASSED,
            f"last {class_id} award in {same[-1].year}, {as_of.year - same[-1].year} years "
            f"before {as_of.year}; {asks}",
        )
    return _result(rule, RuleStatus.PASSED, f"no past award in the {class_id} class; {asks}")


# --- dates ----------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February (Civil Code 202)."""
    return add_months(day, 12 * years)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def _duration(start: date, end: date) -> str:
    """Whole years and months from ``start`` to ``end`` ("1 year 6 months")."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    years, months = divmod(months, 12)
    parts = [_plural(years, "year")] if years else []
    if months or not years:
        parts.append(_plural(months, "month"))
    return " ".join(parts)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


# --- the administrator's decision ------------------------------------------------------

Decision = Literal["eligible", "return_for_correction", "ineligible"]
DECISIONS: tuple[str, ...] = ("eligible", "return_for_correction", "ineligible")


@dataclass(frozen=True)
class EligibilityDecision:
    decision: Decision
    automatic: Outcome
    is_override: bool
    reason: str | None
    report: EligibilityReport


def decide(
    report: EligibilityReport, decision: Decision, reason: str | None = None
) -> EligibilityDecision:
    """Record the administrator's decision on a report.

    Declaring *eligible* overrides the checker unless every applied rule passed;
    declaring *ineligible* overrides it unless a rule failed. An override needs
    a non-blank written reason. Returning for correction decides nothing about
    eligibility (it asks for facts), so it never counts as an override.
    """
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}; choose one of {', '.join(DECISIONS)}")
    automatic = report.outcome
    contrary = (decision == "eligible" and automatic is not Outcome.ELIGIBLE) or (
        decision == "ineligible" and automatic is not Outcome.INELIGIBLE
    )
    written = reason.strip() if reason else ""
    if contrary and not written:
        raise ValueError(
            f"declaring the application {decision} overrides the automatic result "
            f"({automatic}: {_why(report)}); write the reason for the override"
        )
    return EligibilityDecision(decision, automatic, contrary, written or None, report)


def _why(report: EligibilityReport) -> str:
    failed = report.with_status(RuleStatus.FAILED) or report.with_status(RuleStatus.UNKNOWN)
    if not failed:
        return "every rule passed"
    return "; ".join(f"{r.title} {r.status}: {r.evidence}" for r in failed)
