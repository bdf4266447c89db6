"""Consolidation of stage totals with the cycle's stage weights, out of 500 points.

Each stage that scores an application reports a total on the 500-point
standard: document review (材料评审), defence (集中答辩) and site visit (现场核查)
are already score sheets against the standard. Social evaluation (社会评价) is a
survey, so its result is mapped linearly onto 500 points: a satisfaction rate
of p % becomes 5 × p points (86.4 % → 432), and a score s on a scale of 0 … m
becomes 500 × s / m. The map is linear through zero on purpose: no one
satisfied is 0 points, everyone satisfied is 500, with no hidden floor.

The cycle's weights (e.g. 40/40/20) must name known stages, be non-negative and
sum to exactly 1 in decimal arithmetic (0.4 + 0.4 + 0.2, never 1/3-ish floats).
A stage the cycle does not run must be absent or weigh 0, and a stage it runs
must weigh more than 0 — a run stage that counts for nothing is almost always
a configuration slip, so it is refused rather than silently ignored.

The consolidated total is Σ weight × stage total, exact in ``Decimal`` (weights
with two decimals and stage totals with two decimals give four); ``rounded``
gives it to the cent for display. It is always out of 500, like each stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from mqa_workflow.errors import RefusedInputError

STAGES: tuple[str, ...] = ("document_review", "defence", "site_visit", "social_evaluation")
MAX_TOTAL = Decimal(500)
ONE = Decimal(1)
CENT = Decimal("0.01")


class WeightsError(RefusedInputError):
    """Weights or stage totals that cannot be used, with every problem found."""

    what = "stage weights"


@dataclass(frozen=True)
class StageWeights:
    """Validated weights of the stages a cycle runs (only those with weight > 0)."""

    weights: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        _check_weights(self.weights, used=None)

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(stage for stage in STAGES if stage in self.weights)


def stage_weights(data: Mapping[str, object], used_stages: Iterable[str]) -> StageWeights:
    """Weights as fractions summing to 1 (``{"document_review": "0.4", …}``)."""
    problems: list[str] = []
    parsed = _parse(data, problems)
    used = set(used_stages)
    problems += [f"unknown stage {s!r}; the stages are {', '.join(STAGES)}"
                 for s in sorted(used) if s not in STAGES]
    if problems:
        raise WeightsError(problems)
    _check_weights(parsed, used)
    return StageWeights({s: parsed[s] for s in STAGES if parsed.get(s, Decimal(0)) > 0})


def stage_weights_from_percentages(
    data: Mapping[str, object], used_stages: Iterable[str]
) -> StageWeights:
    """Weights as percentages summing to 100 (``{"document_review": 40, …}``)."""
    problems: list[str] = []
    parsed = _parse(data, problems)
    if problems:
        raise WeightsError(problems)
    return stage_weights({s: w / 100 for s, w in parsed.items()}, used_stages)


def _parse(data: Mapping[str, object], problems: list[str]) -> dict[str, Decimal]:
    parsed = {}
    for stage, raw in data.items():
        if stage not in STAGES:
            problems.append(f"unknown stage {stage!r}; the stages are {', '.join(STAGES)}")
            continue
        value = as_decimal(raw)
        if value is None:
            problems.append(f"{stage}: {raw!r} is not a number")
        else:
            parsed[stage] = value
    return parsed


def _check_weights(weights: Mapping[str, Decimal], used: set[str] | None) -> None:
    problems = [f"unknown stage {s!r}; the stages are {', '.join(STAGES)}"
                for s in weights if s not in STAGES]
    problems += [f"{s}: a weight cannot be negative ({w})" for s, w in weights.items() if w < 0]
    total = sum(weights.values(), Decimal(0))
    if total != ONE:
        listed = " + ".join(f"{weights[s]}" for s in STAGES if s in weights) or "nothing"
        problems.append(f"the weights must sum to exactly 1; {listed} = {total}")
    if used is not None:
        problems += [
            f"{s}: the cycle does not run this stage, so its weight must be 0 (not {w})"
            for s, w in weights.items() if s not in used and w > 0
        ]
        problems += [
            f"{s}: the cycle runs this stage but gives it no weight; weigh it or drop the stage"
            for s in STAGES if s in used and weights.get(s, Decimal(0)) == 0
        ]
    if problems:
        raise WeightsError(problems)


def as_decimal(raw: object) -> Decimal | None:
    """A finite decimal from an int, Decimal, numeric string or float (via its repr).

    Floats come from YAML (``0.4``); going through ``str`` keeps 0.4 as 0.4
    instead of 0.40000000000000002220446….
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        return None
    try:
        value = Decimal(str(raw)) if isinstance(raw, float | str) else Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# --- social evaluation -------------------------------------------------------------------


@dataclass(frozen=True)
class SocialEvaluation:
    """A survey result: ``value`` on a scale of 0 … ``out_of`` (a percentage by default)."""

    value: Decimal
    out_of: Decimal = Decimal(100)
    method: str = "public satisfaction survey"

    def __post_init__(self) -> None:
        if self.out_of <= 0:
            raise ValueError(f"a survey scale must be positive, not {self.out_of}")
        if not 0 <= self.value <= self.out_of:
            raise ValueError(f"a survey result of {self.value} is outside 0 to {self.out_of}")

    @property
    def on_500(self) -> Decimal:
        """500 × value / out_of, to the cent (linear through zero; see module doc)."""
        return (MAX_TOTAL * self.value / self.out_of).quantize(CENT, rounding=ROUND_HALF_UP)


# --- consolidation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Consolidation:
    total: Decimal  # out of 500, exact
    contributions: Mapping[str, Decimal]  # weight × stage total, per stage
    stage_totals: Mapping[str, Decimal]  # each out of 500
    weights: StageWeights

    @property
    def rounded(self) -> Decimal:
        return self.total.quantize(CENT, rounding=ROUND_HALF_UP)

    def explain(self) -> str:
        parts = " + ".join(
            f"{self.weights.weights[s]} × {self.stage_totals[s]} ({s})" for s in self.weights.stages
        )
        return f"{parts} = {self.total} of 500"


def consolidate(
    weights: StageWeights, totals: Mapping[str, Decimal | SocialEvaluation]
) -> Consolidation:
    """The weighted total out of 500 from each weighted stage's total out of 500.

    ``social_evaluation`` may be given as a ``SocialEvaluation`` (mapped onto
    500) or as a total already on 500 points.
    """
    problems: list[str] = []
    on_500 = {s: _stage_total(s, v, problems) for s, v in totals.items()}
    problems += [f"{s}: no total given, but the stage weighs {w}"
                 for s, w in weights.weights.items() if s not in totals]
    problems += [f"{s}: a total was given but the cycle gives this stage no weight"
                 for s in totals if s not in weights.weights]
    if problems:
        raise WeightsError(problems)
    contributions = {s: weights.weights[s] * on_500[s] for s in weights.stages}
    return Consolidation(
        sum(contributions.values(), Decimal(0)), contributions,
        {s: on_500[s] for s in weights.stages}, weights,
    )


def _stage_total(stage: str, value: object, problems: list[str]) -> Decimal:
    if isinstance(value, SocialEvaluation):
        if stage != "social_evaluation":
            problems.append(f"{stage}: a survey result belongs to social_evaluation only")
        return value.on_500
    number = as_decimal(value) if not isinstance(value, float) else None
    if number is None:
        problems.append(f"{stage}: {value!r} is not a decimal total (floats are refused)")
        return Decimal(0)
    if not 0 <= number <= MAX_TOTAL:
        problems.append(f"{stage}: a total of {number} is outside 0 to 500")
    return number
