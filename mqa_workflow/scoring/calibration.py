"""Fair scoring: reviewer calibration, inter-rater agreement, Kendall τ.

**Calibration never replaces the official consensus.** Every sheet keeps its raw
percentages; the calibrated total is shown beside the consensus with its
interval, so administrators see what calibration would change and how sure it is.

Calibration model (one review stage of one award class). Each submitted sheet
gives a total y(r, a) against the standard's points (item points × the
reviewer's percentage, summed). The model is additive:

    y(r, a) = q(a) + b(r) + e,     e ~ N(0, σ²),  b(r) ~ N(0, τ²)

q(a) is application a's quality (the total an average reviewer would give), b(r)
reviewer r's leniency in points (positive: lenient, negative: harsh), e the
sheet's own noise. Each application's quality is a free parameter, so leniency is
learned only from reviewers who scored the *same* applications — how a
reviewer's totals differ from their co-reviewers' on shared applications — and
never from which applications a reviewer happened to get. It therefore stays
honest under industry-matched assignment, where a per-reviewer z-score pulls down
a reviewer who was given strong applications.

Leniency is a random effect: its estimate is the posterior mean (BLUP, from
Henderson's mixed-model equations), which shrinks towards 0 a reviewer whose
sheets say little — few sheets, or few co-reviewers. σ² and τ² come from the
stage's own sheets by restricted maximum likelihood (REML: profiled over σ², a
one-dimensional search over λ = σ²/τ²). When the sheets show no leniency beyond
noise, τ² → 0, every b(r) → 0 and the calibrated total is the raw mean.

Identification: the reviewer–application graph (one edge per sheet) falls into
connected components. Within a component, differences of leniency are identified;
a shift common to the whole component is not (it cannot be told from its
applications being better), and the prior keeps it at 0. So there is no
adjustment across components: calibrated totals in different components stay on
their raw scale, and no reorder between components is ever claimed.

Uncertainty: with N sheets, P applications, M the reviewer × application
incidence matrix, n(a) the sheets of a and w(a) = M[:, a] / n(a), absorbing
quality leaves the reviewers' system S = L + λI, L = diag(n_r) − M diag(1/n_a) Mᵀ.
Then Var b(r) = σ² (S⁻¹)_rr and Var q(a) = σ² (1/n(a) + w(a)ᵀ S⁻¹ w(a)), both on the
scale of the component's average reviewer: S⁻¹ is taken without L's null
directions (one per component, its common shift), which no sheet can inform and
which no comparison within a component depends on. Intervals are ± t(df = N − P)
posterior standard deviations. They take σ² and τ² as known, so they are somewhat
narrow on very small stages. Two intervals that do not overlap mean the
difference is significant at least at the stated level, however the two
estimates are correlated.

Flags (the data cannot support an adjustment): fewer than 2 degrees of freedom
within applications (nearly every application has a single sheet), τ² estimated
at ≈ 0 (no leniency beyond noise), a component in which no application has two
sheets; per reviewer: fewer than ``min_scores`` sheets (shrunk towards 0, so
adjusted little).

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

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import optimize, sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.stats import kendalltau

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RawScore:
    """One reviewer's percentage for one item of one application, in one stage."""

    reviewer: str
    application: int
    item: str
    percentage: Decimal


@dataclass(frozen=True)
class SheetTotal:
    """One reviewer's sheet on one application: item points × percentage, summed."""

    reviewer: str
    application: int
    total: Decimal


def sheet_totals(scores: Sequence[RawScore], item_points: Mapping[str, int]) -> list[SheetTotal]:
    """Each sheet's total against the standard; every sheet must score every item."""
    _check_scores(scores)
    sheets: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(dict)
    for score in scores:
        sheets[(score.reviewer, score.application)][score.item] = score.percentage
    problems = sorted({
        f"item {item} is not in the standard's items"
        for items in sheets.values() for item in items if item not in item_points
    })
    problems += [
        f"{reviewer}'s sheet on application {application} has no score for item {item}"
        for (reviewer, application), items in sorted(sheets.items())
        for item in item_points if item not in items
    ]
    if problems:
        raise ValueError("cannot total the scores:\n" + "\n".join(f"  - {p}" for p in problems))
    return [
        SheetTotal(reviewer, application, sum(
            (Decimal(item_points[item]) * pct / HUNDRED for item, pct in items.items()),
            Decimal(0)))
        for (reviewer, application), items in sorted(sheets.items())
    ]


def _check_scores(scores: Sequence[RawScore]) -> None:
    if not scores:
        raise ValueError("no scores to calibrate")
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


# --- calibration ----------------------------------------------------------------------


@dataclass(frozen=True)
class CalibratedApplication:
    application: int
    sheets: int
    raw_mean: float  # mean of the sheets' totals
    calibrated: float  # estimated quality q(a), on the same points scale
    sd: float | None  # posterior standard deviation; None when no interval can be given
    low: float | None  # the interval, clipped to 0 … the standard's points
    high: float | None
    component: int


@dataclass(frozen=True)
class ReviewerLeniency:
    reviewer: str
    sheets: int
    leniency: float  # points of the total: + lenient, − harsh
    sd: float | None
    component: int
    note: str  # why this reviewer is adjusted little or not at all, else ""


@dataclass(frozen=True)
class Component:
    """A connected part of the reviewer–application graph; no adjustment across parts."""

    number: int
    reviewers: tuple[str, ...]
    applications: tuple[int, ...]
    note: str  # why the sheets here cannot support an adjustment, else ""


@dataclass(frozen=True)
class Calibration:
    applications: Mapping[int, CalibratedApplication]
    reviewers: Mapping[str, ReviewerLeniency]
    components: tuple[Component, ...]
    noise_sd: float | None  # σ, points; None when not estimable
    leniency_sd: float | None  # τ, points
    confidence: float
    notes: tuple[str, ...]  # stage-wide reasons why no adjustment is supported

    @property
    def adjusted(self) -> bool:
        return not self.notes


@dataclass(frozen=True)
class Reorder:
    """``above`` is clearly higher once calibrated though ``below`` is higher officially."""

    above: int
    below: int


# λ = σ²/τ² is searched on this log range; reaching the top means τ² ≈ 0.
LOG_LAMBDA_RANGE = (-12.0, 14.0)


def calibrate(sheets: Sequence[SheetTotal], maximum: float, confidence: float = 0.95,
              min_scores: int = 3) -> Calibration:
    """Joint estimate of quality and leniency from a stage's sheets (module doc)."""
    graph = _Graph.of(sheets)
    components = graph.components()
    notes = []
    if graph.n - graph.p < 2:
        notes.append("几乎每个申报只有一份评分表，无从比较 (fewer than 2 degrees of freedom "
                     "within applications: nothing to calibrate against)")
    fit = None if notes else _Fit.reml(graph)
    if fit is not None and fit.lam is None:
        notes.append("评审员宽严差异未超出评分噪声 (no reviewer leniency beyond noise, "
                     "τ² ≈ 0)")
    if fit is None:
        fit = _Fit.none(graph)
    quantile = float(stats.t.ppf((1 + confidence) / 2, max(graph.n - graph.p, 1)))
    return Calibration(
        _applications(graph, fit, components, quantile, maximum),
        _reviewers(graph, fit, components, min_scores),
        tuple(components), fit.sigma, fit.tau, confidence, tuple(notes))


@dataclass(frozen=True)
class _Graph:
    reviewers: list[str]
    applications: list[int]
    rev: np.ndarray  # reviewer index of each sheet
    app: np.ndarray  # application index of each sheet
    y: np.ndarray  # each sheet's total
    incidence: sparse.csr_matrix  # M, reviewers × applications

    @staticmethod
    def of(sheets: Sequence[SheetTotal]) -> _Graph:
        if not sheets:
            raise ValueError("no sheets to calibrate")
        pairs = Counter((s.reviewer, s.application) for s in sheets)
        twice = sorted(p for p, count in pairs.items() if count > 1)
        if twice:
            raise ValueError("a reviewer has two sheets on one application: " + ", ".join(
                f"{r} on {a}" for r, a in twice))
        reviewers = sorted({s.reviewer for s in sheets})
        applications = sorted({s.application for s in sheets})
        r_index = {r: i for i, r in enumerate(reviewers)}
        a_index = {a: i for i, a in enumerate(applications)}
        rev = np.array([r_index[s.reviewer] for s in sheets])
        app = np.array([a_index[s.application] for s in sheets])
        incidence = sparse.csr_matrix((np.ones(len(sheets)), (rev, app)),
                                      shape=(len(reviewers), len(applications)))
        return _Graph(reviewers, applications, rev, app,
                      np.array([float(s.total) for s in sheets]), incidence)

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def p(self) -> int:
        return len(self.applications)

    @property
    def per_app(self) -> np.ndarray:
        return np.bincount(self.app, minlength=self.p).astype(float)

    @property
    def per_reviewer(self) -> np.ndarray:
        return np.bincount(self.rev, minlength=len(self.reviewers)).astype(float)

    @property
    def raw_means(self) -> np.ndarray:
        return np.bincount(self.app, weights=self.y, minlength=self.p) / self.per_app

    def components(self) -> list[Component]:
        r = len(self.reviewers)
        adjacency = sparse.bmat([[None, self.incidence], [self.incidence.T, None]])
        count, labels = connected_components(adjacency, directed=False)
        shared = self.per_app >= 2
        out = []
        for c in range(count):
            revs = tuple(self.reviewers[i] for i in np.flatnonzero(labels[:r] == c))
            apps_at = np.flatnonzero(labels[r:] == c)
            note = "" if shared[apps_at].any() else (
                "没有申报有两份评分表，宽严无法与质量区分，不作调整 (no application here "
                "has two sheets: leniency cannot be told from quality)")
            out.append(Component(c + 1, revs, tuple(self.applications[i] for i in apps_at),
                                 note))
        return out

    def component_of(self, components: Sequence[Component]) -> tuple[dict[str, int],
                                                                    dict[int, int]]:
        by_rev = {r: c.number for c in components for r in c.reviewers}
        by_app = {a: c.number for c in components for a in c.applications}
        return by_rev, by_app


@dataclass(frozen=True)
class _Fit:
    """Leniency estimates and the posterior pieces the intervals need."""

    lam: float | None  # σ²/τ²; None when τ² ≈ 0 (no adjustment)
    sigma: float | None
    tau: float | None
    leniency: np.ndarray  # b(r)
    leniency_var: np.ndarray | None  # Var b(r) (posterior)
    shared_var: np.ndarray | None  # σ² w(a)ᵀ S⁻¹ w(a) per application

    @staticmethod
    def none(graph: _Graph, sigma: float | None = None) -> _Fit:
        zero = np.zeros(len(graph.reviewers))
        return _Fit(None, sigma, None if sigma is None else 0.0, zero,
                    None if sigma is None else zero, None if sigma is None
                    else np.zeros(graph.p))

    @staticmethod
    def reml(graph: _Graph) -> _Fit:
        n_a = graph.per_app
        m = graph.incidence
        laplacian = np.diag(graph.per_reviewer) - (
            m @ sparse.diags(1 / n_a) @ m.T).toarray()
        values, vectors = np.linalg.eigh(laplacian)
        values = np.clip(values, 0.0, None)
        raw = graph.raw_means
        rhs_k = vectors.T @ (np.bincount(graph.rev, weights=graph.y,
                                         minlength=len(graph.reviewers)) - m @ raw)
        within = float(np.sum((graph.y - raw[graph.app]) ** 2))
        df = graph.n - graph.p
        # A floor for exact fits, on a scale that shifting every sheet leaves alone.
        floor = 1e-12 * (1.0 + float(np.sum((graph.y - graph.y.mean()) ** 2)))

        def rss(log_lam: float) -> float:
            return max(within - float(np.sum(rhs_k**2 / (values + math.exp(log_lam)))),
                       floor)

        def deviance(log_lam: float) -> float:  # −2 × restricted log-likelihood + const
            lam = math.exp(log_lam)
            return (df * math.log(rss(log_lam) / df) - len(values) * log_lam
                    + float(np.sum(np.log(values + lam))))

        best = _minimise(deviance)
        sigma2 = rss(best) / df
        if best >= LOG_LAMBDA_RANGE[1] - 1e-6:
            return _Fit.none(graph, math.sqrt(sigma2))
        lam = math.exp(best)
        # The null directions of the Laplacian are each component's common shift: not
        # estimable, held at 0 by convention, and left out of every variance.
        identified = values > 1e-9 * max(1.0, float(values.max()))
        inverse = np.where(identified, 1 / (values + lam), 0.0)
        leniency = vectors @ (inverse * rhs_k)
        spread = (m.T @ vectors) / n_a[:, None]  # w(a) in the eigenbasis
        return _Fit(lam, math.sqrt(sigma2), math.sqrt(sigma2 / lam), leniency,
                    sigma2 * (vectors**2) @ inverse, sigma2 * (spread**2) @ inverse)


def _minimise(deviance: Callable[[float], float]) -> float:
    """Grid over log λ, then a bounded refinement around the best grid point.

    Where two values of λ fit equally well (tiny stages can have two such minima),
    the larger λ — the smaller adjustment — is taken, so a figure never hinges on
    the last digits of the arithmetic.
    """
    low, high = LOG_LAMBDA_RANGE
    grid = np.linspace(low, high, 53)
    values = np.array([deviance(float(x)) for x in grid])
    i = int(np.flatnonzero(values <= values.min() + 1e-6 * (1 + abs(values.min())))[-1])
    if i in (0, len(grid) - 1):
        return float(grid[i])
    found = optimize.minimize_scalar(deviance, bounds=(grid[i - 1], grid[i + 1]),
                                     method="bounded", options={"xatol": 1e-9})
    return float(found.x) if found.fun <= values[i] else float(grid[i])


def _applications(graph: _Graph, fit: _Fit, components: Sequence[Component],
                  quantile: float, maximum: float) -> dict[int, CalibratedApplication]:
    n_a = graph.per_app
    raw = graph.raw_means
    quality = raw - (graph.incidence.T @ fit.leniency) / n_a
    _, component = graph.component_of(components)
    out = {}
    for i, a in enumerate(graph.applications):
        sd = low = high = None
        if fit.sigma is not None and fit.shared_var is not None:
            sd = math.sqrt(fit.sigma**2 / n_a[i] + fit.shared_var[i])
            low = _clip(quality[i] - quantile * sd, maximum)
            high = _clip(quality[i] + quantile * sd, maximum)
        out[a] = CalibratedApplication(a, int(n_a[i]), float(raw[i]),
                                       _clip(quality[i], maximum), sd, low, high, component[a])
    return out


def _clip(value: float, maximum: float) -> float:
    return float(min(max(value, 0.0), maximum))


def _reviewers(graph: _Graph, fit: _Fit, components: Sequence[Component],
               min_scores: int) -> dict[str, ReviewerLeniency]:
    component, _ = graph.component_of(components)
    unsupported = {c.number: c.note for c in components if c.note}
    out = {}
    for i, r in enumerate(graph.reviewers):
        sheets = int(graph.per_reviewer[i])
        note = unsupported.get(component[r], "")
        if not note and sheets < min_scores:
            note = f"仅 {sheets} 份评分表，向 0 收缩 (few sheets: shrunk towards 0)"
        sd = None if fit.leniency_var is None or component[r] in unsupported else (
            math.sqrt(max(fit.leniency_var[i], 0.0)))
        out[r] = ReviewerLeniency(r, sheets, float(fit.leniency[i]), sd, component[r], note)
    return out


def supported_reorders(calibration: Calibration,
                       official: Mapping[int, float]) -> list[Reorder]:
    """Pairs whose calibrated intervals separate against the official order.

    Only within one component (there is no adjustment across components), and
    only when both intervals exist: a reorder whose intervals overlap is not
    supported by the sheets and is not shown.
    """
    rows = [a for a in calibration.applications.values() if a.low is not None]
    if not calibration.adjusted or not rows:
        return []
    ids = np.array([a.application for a in rows])
    part = np.array([a.component for a in rows])
    rank = np.array([official[a.application] for a in rows])
    low = np.array([a.low for a in rows], dtype=float)
    high = np.array([a.high for a in rows], dtype=float)
    # [i, j]: j is officially above i, yet i's interval lies wholly above j's.
    clear = ((part[:, None] == part[None, :]) & (rank[None, :] > rank[:, None])
             & (low[:, None] > high[None, :]))
    return [Reorder(int(ids[i]), int(ids[j])) for i, j in zip(*np.nonzero(clear), strict=True)]


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

ASSIGNMENTS = ("random", "clustered")


@dataclass(frozen=True)
class SimulatedApplication:
    application: int
    industry: int
    true_quality: float  # percentage, the same on every item
    true_total: float  # against 500 points
    raw_mean: float  # mean of the reviewers' sheet totals
    calibrated: float
    unbiased_mean: float  # the raw mean had no reviewer been biased (same noise)


@dataclass(frozen=True)
class SimulationResult:
    seed: int
    tau_raw: float  # true order vs the ranking from raw mean totals
    tau_calibrated: float  # true order vs the ranking from calibrated totals
    tau_unbiased: float  # the ceiling: raw means of the same sheets without any bias
    applications: tuple[SimulatedApplication, ...]
    reviewer_loads: Mapping[str, int]
    components: int


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
    assignment: str = "random",
    industries: int = 3,
    industry_spread: float = 10.0,
) -> SimulationResult:
    """Reviewers biased by known amounts score applications of known quality.

    Each application has a true percentage q ~ N(quality_mean, quality_spread),
    the same on each of ``n_items`` equal items (so the true order is the order
    of q). Reviewer r scores an item q + biases[r] + N(0, noise), rounded to a
    whole percentage and clipped to 0–100, as a real sheet would be. Each
    application gets ``reviewers_per_application`` distinct reviewers, chosen
    among the least loaded (random among equals), so loads stay balanced.

    ``assignment="clustered"`` imitates the industry-matching solver: application a
    is in industry a mod ``industries``, reviewer r knows industry r mod
    ``industries``, panels are drawn from reviewers of the application's own
    industry first, and each industry's quality is shifted (evenly from
    −industry_spread to +industry_spread percentage points) — the case where a
    reviewer's mean says more about the industry than about the reviewer.

    The sheets go through ``sheet_totals`` and ``calibrate`` — the code under test —
    and τ-b is taken against the true order, for raw means, calibrated totals, and
    raw means of the same sheets with the biases left out (the best any
    calibration could do, given the noise).
    """
    _check_simulation(n_applications, n_reviewers, reviewers_per_application, biases,
                      assignment, industries)
    rng = np.random.default_rng(seed)
    quality = rng.normal(quality_mean, quality_spread, n_applications)
    industry = np.arange(n_applications) % industries
    if assignment == "clustered":
        quality += np.linspace(-industry_spread, industry_spread, industries)[industry] \
            if industries > 1 else 0.0
    reviewers = [f"R{r + 1}" for r in range(n_reviewers)]
    panels = _assign(rng, n_applications, n_reviewers, reviewers_per_application,
                     industry if assignment == "clustered" else None, industries)
    noise_draws = rng.normal(0.0, noise, (n_applications, reviewers_per_application, n_items))
    points = _equal_points(n_items)

    def sheets(bias: Sequence[float]) -> list[RawScore]:
        return [
            RawScore(reviewers[r], a + 1, f"{i + 1}", Decimal(int(np.clip(np.rint(
                quality[a] + bias[r] + noise_draws[a, k, i]), 0, 100))))
            for a, panel in enumerate(panels) for k, r in enumerate(panel)
            for i in range(n_items)
        ]

    totals = sheet_totals(sheets(biases), points)
    calibration = calibrate(totals, maximum=500.0)
    unbiased = _raw_means(sheet_totals(sheets([0.0] * n_reviewers), points))
    apps = tuple(
        SimulatedApplication(
            a + 1, int(industry[a]), float(quality[a]), float(quality[a]) * 5,
            calibration.applications[a + 1].raw_mean,
            calibration.applications[a + 1].calibrated,
            unbiased[a + 1])
        for a in range(n_applications)
    )
    truth = [a.true_quality for a in apps]
    return SimulationResult(
        seed,
        kendall_tau(truth, [a.raw_mean for a in apps]),
        kendall_tau(truth, [a.calibrated for a in apps]),
        kendall_tau(truth, [a.unbiased_mean for a in apps]),
        apps,
        {reviewers[r]: sum(r in panel for panel in panels) for r in range(n_reviewers)},
        len(calibration.components),
    )


def _raw_means(sheets: Sequence[SheetTotal]) -> dict[int, float]:
    by_application: dict[int, list[float]] = defaultdict(list)
    for sheet in sheets:
        by_application[sheet.application].append(float(sheet.total))
    return {a: float(np.mean(totals)) for a, totals in by_application.items()}


def _check_simulation(
    n_applications: int, n_reviewers: int, per_application: int, biases: Sequence[float],
    assignment: str, industries: int,
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
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"assignment is {' or '.join(ASSIGNMENTS)}, not {assignment!r}")
    if industries < 1:
        raise ValueError("there must be at least 1 industry")


def _assign(
    rng: np.random.Generator, n_applications: int, n_reviewers: int, per_application: int,
    industry: np.ndarray | None, industries: int,
) -> list[tuple[int, ...]]:
    """Least-loaded panels; with ``industry``, reviewers of the application's own
    industry (reviewer r knows industry r mod ``industries``) come first."""
    loads = [0] * n_reviewers
    panels = []
    for a in range(n_applications):
        ties = rng.random(n_reviewers)

        def order(r: int, a: int = a, ties: np.ndarray = ties) -> tuple[bool, int, float]:
            foreign = industry is not None and r % industries != industry[a]
            return foreign, loads[r], ties[r]

        panel = tuple(sorted(range(n_reviewers), key=order)[:per_application])
        for r in panel:
            loads[r] += 1
        panels.append(panel)
    return panels


def _equal_points(n_items: int) -> dict[str, int]:
    """500 points spread over the items as evenly as whole points allow."""
    base, extra = divmod(500, n_items)
    return {f"{i + 1}": base + (i < extra) for i in range(n_items)}


def reviewers_for_load(n_applications: int, per_application: int, per_reviewer: int) -> int:
    """How many reviewers give each about ``per_reviewer`` sheets (loads stay balanced)."""
    if per_reviewer < 1:
        raise ValueError("each reviewer needs at least 1 sheet")
    return max(math.ceil(n_applications * per_application / per_reviewer), per_application)


def parse_biases(text: str, n_reviewers: int) -> list[float]:
    """``"15"``: spread evenly from −15 to +15 over the reviewers; ``"-15,0,15"``: one each."""
    try:
        values = [float(v) for v in text.replace("±", "").split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"biases {text!r}: give a spread such as 15 or a list such as "
                         "-15,0,15") from None
    if len(values) == 1 and "," not in text:
        if values[0] < 0:
            raise ValueError(f"a spread is not negative: {text!r}")
        if n_reviewers == 1:
            return [0.0]
        return [float(x) for x in np.linspace(-values[0], values[0], n_reviewers)]
    if len(values) != n_reviewers:
        raise ValueError(f"biases {text!r}: {len(values)} values for {n_reviewers} reviewers")
    return values


@dataclass(frozen=True)
class TauSummary:
    """Mean τ-b over seeds: raw means, calibrated, and the unbiased ceiling."""

    raw: float
    calibrated: float
    unbiased: float
    results: tuple[SimulationResult, ...]


def mean_taus(seeds: Sequence[int], **parameters: object) -> TauSummary:
    """Mean τ of ``simulate_bias`` over several seeds."""
    results = tuple(simulate_bias(seed=seed, **parameters)  # type: ignore[arg-type]
                    for seed in seeds)
    return TauSummary(
        float(np.mean([r.tau_raw for r in results])),
        float(np.mean([r.tau_calibrated for r in results])),
        float(np.mean([r.tau_unbiased for r in results])),
        results,
    )
