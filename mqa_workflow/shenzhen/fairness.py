"""Fair scoring: reviewer leniency normalisation, inter-rater agreement, Kendall τ.

**Normalisation never replaces the raw scores.** Each score keeps its raw
percentage; the normalised figure is shown beside it, and application totals
are given both ways, so administrators see what normalisation changes.

Leniency normalisation (within one review stage): for reviewer r with mean m_r
and standard deviation s_r over *all* the percentages r gave in the stage (every
item, every application), a score x becomes z = (x − m_r) / s_r; z is mapped
back onto the percentage scale with the stage's pooled mean M and standard
deviation S over all raw scores: x' = M + z·S, clipped to 0–100. A lenient
reviewer (high m_r) is pulled down, a harsh one up, a reviewer who spreads
scores widely is compressed. M is the grand mean of all raw scores of the
stage; S is the *pooled within-reviewer* standard deviation, √(Σ n_r s_r² / Σ n_r)
over the normalised reviewers — the typical spread of one reviewer's scale. (The
plain standard deviation of all scores would include the very leniency
differences being removed and stretch normalised scores wider than any
reviewer's.) Standard deviations are population ones (ddof 0).
A reviewer with fewer than ``min_scores`` scores, or no spread at all, cannot
be normalised: those scores pass through unchanged and the reviewer is flagged.
The method assumes each reviewer sees a comparable mix of applications
(balanced, random assignment); a reviewer given only strong applicants would be
pulled down unfairly — one more reason to show it beside the raw consensus.

Agreement per item: Krippendorff's alpha for interval data over applications
(units) × reviewers (coders), which handles missing cells natively. With m_u
values in unit u, n = Σ m_u over units with m_u ≥ 2 (the pairable values):

    D_o = (1/n) Σ_u Σ_{i≠j in u} (v_i − v_j)² / (m_u − 1)
    D_e = 1/(n(n − 1)) Σ_{i≠j over all pairable values} (v_i − v_j)²
    α   = 1 − D_o / D_e

(Krippendorff, *Computing Krippendorff's Alpha-Reliability*, 2011.) α is 1 for
perfect agreement, about 0 for agreement no better than chance, and undefined
(``None``) when the pairable values do not vary at all. Beside it, the mean
absolute deviation: the average |v − unit mean| over every score of the item on
an application with at least two scores, in percentage points.

Kendall τ is τ-b (``scipy.stats.kendalltau``'s default), which corrects for ties.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy.stats import kendalltau

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RawScore:
    """One reviewer's percentage for one item of one application, in one stage."""

    reviewer: str
    application: int
    item: str
    percentage: Decimal


@dataclass(frozen=True)
class NormalisedScore:
    reviewer: str
    application: int
    item: str
    raw: Decimal
    normalised: Decimal  # on the percentage scale, 0–100, two decimals
    z: float | None  # None when the reviewer could not be normalised


@dataclass(frozen=True)
class ReviewerLeniency:
    reviewer: str
    n_scores: int
    mean: float
    std: float
    normalised: bool
    note: str  # why a reviewer was not normalised, else ""


@dataclass(frozen=True)
class Normalisation:
    scores: tuple[NormalisedScore, ...]
    reviewers: Mapping[str, ReviewerLeniency]
    pooled_mean: float  # grand mean of the stage's raw scores
    pooled_std: float  # pooled within-reviewer standard deviation


def normalise(scores: Sequence[RawScore], min_scores: int = 3) -> Normalisation:
    """Per-reviewer z-scores mapped back to the stage's percentage scale (module doc)."""
    _check_scores(scores)
    by_reviewer: dict[str, list[float]] = defaultdict(list)
    for score in scores:
        by_reviewer[score.reviewer].append(float(score.percentage))
    reviewers = {r: _leniency(r, v, min_scores) for r, v in sorted(by_reviewer.items())}
    pooled_mean = float(np.mean([float(s.percentage) for s in scores]))
    pooled_std = _pooled_std([r for r in reviewers.values() if r.normalised])
    out = []
    for score in scores:
        lenience = reviewers[score.reviewer]
        if not lenience.normalised:
            out.append(NormalisedScore(score.reviewer, score.application, score.item,
                                       score.percentage, _cents(score.percentage), None))
            continue
        z = (float(score.percentage) - lenience.mean) / lenience.std
        mapped = min(100.0, max(0.0, pooled_mean + z * pooled_std))
        out.append(NormalisedScore(score.reviewer, score.application, score.item,
                                   score.percentage, _cents(mapped), z))
    return Normalisation(tuple(out), reviewers, pooled_mean, pooled_std)


def _check_scores(scores: Sequence[RawScore]) -> None:
    if not scores:
        raise ValueError("no scores to normalise")
    problems = [
        f"{s.reviewer} on application {s.application} item {s.item}: {s.percentage} is "
        "outside 0–100"
        for s in scores
        if not 0 <= s.percentage <= 100
    ]
    seen: set[tuple[str, int, str]] = set()
    for s in scores:
        key = (s.reviewer, s.application, s.item)
        if key in seen:
            problems.append(
                f"{s.reviewer} scored application {s.application} item {s.item} twice"
            )
        seen.add(key)
    if problems:
        raise ValueError("scores refused:\n" + "\n".join(f"  - {p}" for p in problems))


def _pooled_std(reviewers: Sequence[ReviewerLeniency]) -> float:
    weight = sum(r.n_scores for r in reviewers)
    if not weight:
        return 0.0
    return float(np.sqrt(sum(r.n_scores * r.std**2 for r in reviewers) / weight))


def _leniency(reviewer: str, values: list[float], min_scores: int) -> ReviewerLeniency:
    array = np.array(values)
    mean, std = float(array.mean()), float(array.std())
    note = ""
    if len(values) < min_scores:
        note = f"too few scores to normalise ({len(values)} < {min_scores}); raw kept"
    elif std == 0:
        note = f"gave every score the same value ({mean:g}); raw kept"
    return ReviewerLeniency(reviewer, len(values), mean, std, not note, note)


def _cents(value: float | Decimal) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


# --- application totals against the 500-point standard ---------------------------------


@dataclass(frozen=True)
class ApplicationTotals:
    application: int
    raw: Decimal  # points × mean raw % / 100, summed; two decimals
    normalised: Decimal  # the same with mean normalised %
    raw_items: Mapping[str, Decimal]  # item points from the raw mean
    normalised_items: Mapping[str, Decimal]


def application_totals(
    normalisation: Normalisation, item_points: Mapping[str, int]
) -> dict[int, ApplicationTotals]:
    """Raw and normalised totals per application, out of the standard's 500 points.

    The item percentage is the mean over the application's reviewers; every
    item of ``item_points`` must have at least one score for every application.
    """
    cells: dict[tuple[int, str], list[NormalisedScore]] = defaultdict(list)
    for score in normalisation.scores:
        cells[(score.application, score.item)].append(score)
    applications = sorted({a for a, _ in cells})
    _check_cells(cells, applications, item_points)
    return {a: _totals(a, cells, item_points) for a in applications}


def _check_cells(
    cells: Mapping[tuple[int, str], list[NormalisedScore]],
    applications: Sequence[int],
    item_points: Mapping[str, int],
) -> None:
    problems = sorted({
        f"item {item} is not in the standard's items" for _, item in cells
        if item not in item_points
    })
    problems += [
        f"application {a} has no score for item {item}"
        for a in applications for item in item_points if (a, item) not in cells
    ]
    if problems:
        raise ValueError("cannot total the scores:\n" + "\n".join(f"  - {p}" for p in problems))


def _totals(
    application: int,
    cells: Mapping[tuple[int, str], list[NormalisedScore]],
    item_points: Mapping[str, int],
) -> ApplicationTotals:
    raw_items, norm_items = {}, {}
    for item, points in item_points.items():
        cell = cells[(application, item)]
        raw_mean = sum((s.raw for s in cell), Decimal(0)) / len(cell)
        norm_mean = sum((s.normalised for s in cell), Decimal(0)) / len(cell)
        raw_items[item] = _cents(Decimal(points) * raw_mean / HUNDRED)
        norm_items[item] = _cents(Decimal(points) * min(norm_mean, HUNDRED) / HUNDRED)
    return ApplicationTotals(
        application, sum(raw_items.values(), Decimal(0)), sum(norm_items.values(), Decimal(0)),
        raw_items, norm_items,
    )


# --- agreement ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemAgreement:
    item: str
    alpha: float | None  # Krippendorff's alpha, interval; None when undefined
    mean_absolute_deviation: float | None  # percentage points; None with no pairable cell
    applications: int  # units with at least two scores (those that count)
    scores: int  # pairable values n


def krippendorff_alpha_interval(units: Sequence[Sequence[float]]) -> float | None:
    """Krippendorff's alpha (interval metric); each unit lists the values it received.

    Units with fewer than two values carry no information on agreement and are
    left out (that is how alpha handles missing cells). See the module docstring.
    """
    pairable = [np.asarray(u, dtype=float) for u in units if len(u) >= 2]
    n = sum(len(u) for u in pairable)
    if n < 2:
        return None
    observed = sum(_pair_sum(u) / (len(u) - 1) for u in pairable) / n
    expected = _pair_sum(np.concatenate(pairable)) / (n * (n - 1))
    if expected == 0:
        return None
    return 1.0 - observed / expected


def _pair_sum(values: np.ndarray) -> float:
    """Σ over ordered pairs i≠j of (v_i − v_j)², as 2(mΣv² − (Σv)²)."""
    m = len(values)
    return float(2 * (m * np.sum(values**2) - np.sum(values) ** 2))


def item_agreement(scores: Sequence[RawScore]) -> dict[str, ItemAgreement]:
    """Alpha and mean absolute deviation per item, over applications × reviewers."""
    units: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for score in scores:
        units[score.item][score.application].append(float(score.percentage))
    return {item: _agreement(item, list(by_app.values())) for item, by_app in sorted(units.items())}


def _agreement(item: str, units: list[list[float]]) -> ItemAgreement:
    pairable = [np.asarray(u) for u in units if len(u) >= 2]
    deviations = [np.abs(u - u.mean()) for u in pairable]
    mad = float(np.concatenate(deviations).mean()) if deviations else None
    return ItemAgreement(
        item, krippendorff_alpha_interval(units), mad, len(pairable),
        sum(len(u) for u in pairable),
    )


# --- rank agreement -------------------------------------------------------------------


def kendall_tau(truth: Sequence[float], observed: Sequence[float]) -> float:
    """Kendall's τ-b between two scorings of the same items (ties corrected)."""
    if len(truth) != len(observed):
        raise ValueError(f"cannot compare {len(truth)} values with {len(observed)}")
    return float(kendalltau(truth, observed).statistic)


# --- simulation -----------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationResult:
    seed: int
    tau_raw: float  # true order vs ranking from raw mean totals
    tau_normalised: float  # true order vs ranking from normalised totals
    true_quality: tuple[float, ...]  # per application, percentage
    raw_totals: tuple[Decimal, ...]
    normalised_totals: tuple[Decimal, ...]
    reviewer_loads: Mapping[str, int]


def simulate_bias(
    n_applications: int,
    n_reviewers: int,
    reviewers_per_application: int,
    biases: Sequence[float],
    noise: float,
    seed: int,
    n_items: int = 3,
    quality_mean: float = 60.0,
    quality_spread: float = 12.0,
) -> SimulationResult:
    """Reviewers biased by known amounts score applications of known quality.

    Each application has a true percentage q ~ N(quality_mean, quality_spread),
    the same on each of ``n_items`` equal items (so the true order is the order
    of q). Reviewer r scores an item q + biases[r] + N(0, noise), rounded to a
    whole percentage and clipped to 0–100, as a real sheet would be. Each
    application gets ``reviewers_per_application`` distinct reviewers, chosen
    among the least loaded (random among equals), so loads stay balanced. The
    scores go through ``normalise`` and ``application_totals`` — the code under
    test — and τ-b is taken against the true order.
    """
    _check_simulation(n_applications, n_reviewers, reviewers_per_application, biases)
    rng = np.random.default_rng(seed)
    quality = rng.normal(quality_mean, quality_spread, n_applications)
    reviewers = [f"R{r + 1}" for r in range(n_reviewers)]
    assignment = _assign(rng, n_applications, n_reviewers, reviewers_per_application)
    scores = [
        RawScore(reviewers[r], a + 1, f"{i + 1}", Decimal(int(np.clip(np.rint(
            quality[a] + biases[r] + rng.normal(0.0, noise)), 0, 100))))
        for a, panel in enumerate(assignment) for r in panel for i in range(n_items)
    ]
    points = _equal_points(n_items)
    totals = application_totals(normalise(scores), points)
    raw = tuple(totals[a + 1].raw for a in range(n_applications))
    norm = tuple(totals[a + 1].normalised for a in range(n_applications))
    loads = {reviewers[r]: sum(r in panel for panel in assignment) for r in range(n_reviewers)}
    return SimulationResult(
        seed,
        kendall_tau(list(quality), [float(x) for x in raw]),
        kendall_tau(list(quality), [float(x) for x in norm]),
        tuple(float(q) for q in quality), raw, norm, loads,
    )


def _check_simulation(
    n_applications: int, n_reviewers: int, per_application: int, biases: Sequence[float]
) -> None:
    if len(biases) != n_reviewers:
        raise ValueError(
            f"give one bias per reviewer: {len(biases)} biases, {n_reviewers} reviewers"
        )
    if not 1 <= per_application <= n_reviewers:
        raise ValueError(
            f"each application needs 1 to {n_reviewers} reviewers, not {per_application}"
        )
    if n_applications < 2:
        raise ValueError("a ranking needs at least 2 applications")


def _assign(
    rng: np.random.Generator, n_applications: int, n_reviewers: int, per_application: int
) -> list[tuple[int, ...]]:
    loads = [0] * n_reviewers
    panels = []
    for _ in range(n_applications):
        ties = rng.random(n_reviewers)
        panel = tuple(sorted(range(n_reviewers), key=lambda r: (loads[r], ties[r]))[
            :per_application])
        for r in panel:
            loads[r] += 1
        panels.append(panel)
    return panels


def _equal_points(n_items: int) -> dict[str, int]:
    """500 points spread over the items as evenly as whole points allow."""
    base, extra = divmod(500, n_items)
    return {f"{i + 1}": base + (i < extra) for i in range(n_items)}


def mean_taus(seeds: Sequence[int], **parameters: object) -> tuple[float, float]:
    """Mean τ (raw, normalised) of ``simulate_bias`` over several seeds."""
    results = [simulate_bias(seed=seed, **parameters) for seed in seeds]  # type: ignore[arg-type]
    return (
        float(np.mean([r.tau_raw for r in results])),
        float(np.mean([r.tau_normalised for r in results])),
    )
