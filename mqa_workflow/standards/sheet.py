"""Score arithmetic against a standard.

A score sheet gives a percentage for every scored item of one award class.
Item points are ``points × percentage / 100`` in exact decimals (85 × 55 % is
46.75, never 46.749999…); subtotals are plain sums of those.

Allowed percentages come from the item's scoring guide: economic guides
enumerate multiples of 5; the other classes give ranges, so any integer from
0 to 100 is allowed unless a cycle configures a coarser ``step``. Where two
band ranges share a boundary (20, 40, …) the boundary belongs to the higher
band, and 100 to the top band (see ``Band.contains``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from mqa_workflow.errors import RefusedInputError
from mqa_workflow.standards.models import Band, Item, ItemKind, ScoringGuide, Standard

HUNDRED = Decimal(100)


class ScoreSheetError(RefusedInputError):
    """A score sheet that cannot be computed, with every problem found in it."""

    what = "score sheet"


@dataclass(frozen=True)
class ItemScore:
    item: Item
    percentage: int
    points: Decimal
    band: Band


@dataclass(frozen=True)
class ScoreBreakdown:
    standard: Standard
    items: dict[str, ItemScore]
    categories: dict[str, Decimal]
    sub_categories: dict[str, Decimal]
    kinds: dict[ItemKind, Decimal]
    total: Decimal

    def to_json(self) -> dict[str, Any]:
        """The breakdown as JSON-ready data, numbers kept exact."""
        return {
            "standard": self.standard.class_id,
            "total": json_number(self.total),
            "categories": {code: json_number(v) for code, v in self.categories.items()},
            "sub_categories": {code: json_number(v) for code, v in self.sub_categories.items()},
            "process": json_number(self.kinds["process"]),
            "results": json_number(self.kinds["results"]),
            "items": {code: json_number(s.points) for code, s in self.items.items()},
            "percentages": {code: s.percentage for code, s in self.items.items()},
            "bands": {code: s.band.label for code, s in self.items.items()},
        }


def json_number(value: Decimal) -> int | float:
    # Item points carry at most two decimal places, which a float's shortest
    # repr reproduces exactly (46.75 prints as 46.75).
    return int(value) if value == value.to_integral_value() else float(value)


def score_sheet(
    standard: Standard, percentages: Mapping[str, object], step: int | None = None
) -> ScoreBreakdown:
    """Compute a sheet's breakdown, or refuse it listing every problem."""
    guides = {guide.id: guide for guide in standard.scoring_guides}
    problems: list[str] = []
    scores: dict[str, ItemScore] = {}
    for item in standard.scored_items():
        guide = guides[item.scoring_guide]
        if item.code not in percentages:
            problems.append(
                f"item {item.code} {item.name}: missing; every scored item needs a percentage"
            )
            continue
        checked = _check_percentage(item, guide, percentages[item.code], step, problems)
        if checked is not None:
            points = Decimal(item.points) * checked / HUNDRED
            band = guide.band_for(checked)
            assert band is not None  # the loader proved every step value has a band
            scores[item.code] = ItemScore(item, checked, points, band)
    problems.extend(_unknown_codes(standard, percentages))
    if problems:
        raise ScoreSheetError(problems)
    return _breakdown(standard, scores)


def effective_step(guide: ScoringGuide, step: int | None) -> int:
    if step is None:
        return guide.step
    if step <= 0 or step % guide.step:
        raise ValueError(
            f"a percentage step of {step} does not fit the {guide.name}, whose values "
            f"are multiples of {guide.step}"
        )
    return step


def _check_percentage(
    item: Item, guide: ScoringGuide, raw: object, step: int | None, problems: list[str]
) -> int | None:
    where = f"item {item.code} {item.name}"
    value = _as_decimal(raw)
    if value is None:
        problems.append(f"{where}: {raw!r} is not a number; give a percentage from 0 to 100")
        return None
    if not 0 <= value <= HUNDRED:
        problems.append(f"{where}: {raw} is out of range; percentages run from 0 to 100")
        return None
    allowed_step = effective_step(guide, step)
    if value != value.to_integral_value() or int(value) % allowed_step:
        problems.append(
            f"{where}: {raw} is not an allowed value; the {guide.name} takes multiples "
            f"of {allowed_step} from 0 to 100"
        )
        return None
    return int(value)


def _as_decimal(raw: object) -> Decimal | None:
    # bool is an int in Python but never a percentage; strings are refused so a
    # sheet saying "55%" is caught rather than guessed at.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None
    try:
        value = Decimal(raw) if not isinstance(raw, float) else Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _unknown_codes(standard: Standard, percentages: Mapping[str, object]) -> list[str]:
    scored = {item.code for item in standard.scored_items()}
    containers = {c.code for c in standard.categories} | {
        sub.code for c in standard.categories for sub in c.sub_categories
    }
    problems = []
    for code in percentages:
        if code in scored:
            continue
        if code in containers:
            problems.append(f"{code}: is a category, not a scored item; score its items instead")
        else:
            problems.append(
                f"{code}: unknown item code; standard {standard.class_id} has no scored "
                "item with that code"
            )
    return problems


def _breakdown(standard: Standard, scores: dict[str, ItemScore]) -> ScoreBreakdown:
    categories: dict[str, Decimal] = {}
    sub_categories: dict[str, Decimal] = {}
    kinds: dict[ItemKind, Decimal] = {"process": Decimal(0), "results": Decimal(0)}
    for category in standard.categories:
        for sub in category.sub_categories:
            sub_categories[sub.code] = sum(
                (scores[item.code].points for item in sub.items), Decimal(0)
            )
        categories[category.code] = sum(
            (scores[item.code].points for item in category.scored_items()), Decimal(0)
        )
    for score in scores.values():
        kinds[score.item.kind] += score.points
    total = sum(categories.values(), Decimal(0))
    return ScoreBreakdown(standard, scores, categories, sub_categories, kinds, total)


def score_uniform(standard: Standard, percentage: Decimal) -> ScoreBreakdown:
    """Every item at one percentage that need not sit on a guide's step (the social
    evaluation's satisfaction); the band is that of the percentage rounded down."""
    if not Decimal(0) <= percentage <= HUNDRED:
        raise ScoreSheetError([f"{percentage} is out of range; percentages run from 0 to 100"])
    guides = {guide.id: guide for guide in standard.scoring_guides}
    scores = {}
    for item in standard.scored_items():
        guide = guides[item.scoring_guide]
        floor = int(percentage) - int(percentage) % guide.step
        band = guide.band_for(floor)
        assert band is not None
        scores[item.code] = ItemScore(item, int(percentage), item.points * percentage / HUNDRED,
                                      band)
    return _breakdown(standard, scores)
