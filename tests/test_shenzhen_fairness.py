"""Fair scoring: leniency normalisation beside raw, agreement per item, τ, the simulation."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from mqa_workflow.shenzhen.fairness import (
    RawScore,
    application_totals,
    item_agreement,
    kendall_tau,
    krippendorff_alpha_interval,
    mean_taus,
    normalise,
    simulate_bias,
)

D = Decimal


def _scores(table: dict[str, dict[int, int]], item: str = "1") -> list[RawScore]:
    return [
        RawScore(reviewer, app, item, D(value))
        for reviewer, row in table.items() for app, value in row.items()
    ]


# A lenient and a harsh reviewer who agree on the order and the gaps.
LENIENT_HARSH = _scores({"A": {1: 70, 2: 80, 3: 90}, "B": {1: 40, 2: 50, 3: 60}})


def test_a_lenient_and_a_harsh_reviewer_map_onto_one_scale() -> None:
    result = normalise(LENIENT_HARSH)
    # Grand mean 65; pooled within-reviewer std √(200/3) ≈ 8.165, the same as each reviewer's.
    assert result.pooled_mean == pytest.approx(65.0)
    assert result.pooled_std == pytest.approx(math.sqrt(200 / 3))
    by_key = {(s.reviewer, s.application): s for s in result.scores}
    assert [by_key[("A", a)].normalised for a in (1, 2, 3)] == [D("55.00"), D("65.00"), D("75.00")]
    assert [by_key[("B", a)].normalised for a in (1, 2, 3)] == [D("55.00"), D("65.00"), D("75.00")]
    assert by_key[("A", 1)].z == pytest.approx(-math.sqrt(1.5))


def test_normalisation_keeps_every_raw_score_untouched() -> None:
    result = normalise(LENIENT_HARSH)
    assert [s.raw for s in result.scores] == [s.percentage for s in LENIENT_HARSH]
    assert result.reviewers["A"].mean == pytest.approx(80.0)
    assert result.reviewers["B"].mean == pytest.approx(50.0)


def test_a_reviewer_with_too_few_scores_or_no_spread_is_kept_raw_and_flagged() -> None:
    scores = [*LENIENT_HARSH, *_scores({"C": {1: 95, 2: 85}, "E": {1: 60, 2: 60, 3: 60}})]
    result = normalise(scores, min_scores=3)
    assert not result.reviewers["C"].normalised
    assert "too few scores to normalise (2 < 3)" in result.reviewers["C"].note
    assert "gave every score the same value (60)" in result.reviewers["E"].note
    kept = [s for s in result.scores if s.reviewer in {"C", "E"}]
    assert all(s.normalised == s.raw and s.z is None for s in kept)
    # Only normalised reviewers set the pooled spread.
    assert result.pooled_std == pytest.approx(math.sqrt(200 / 3))


def test_normalised_scores_are_clipped_to_the_percentage_scale() -> None:
    scores = _scores({"A": {1: 95, 2: 95, 3: 95, 4: 100}, "B": {1: 0, 2: 50, 3: 100, 4: 100}})
    normalised = [s.normalised for s in normalise(scores).scores]
    assert max(normalised) == D("100.00")
    assert all(D(0) <= value <= D(100) for value in normalised)


def test_bad_scores_are_refused_with_every_problem() -> None:
    scores = [RawScore("A", 1, "1", D(101)), RawScore("A", 2, "1", D(50)),
              RawScore("A", 2, "1", D(60))]
    with pytest.raises(ValueError) as caught:
        normalise(scores)
    assert "A on application 1 item 1: 101 is outside 0–100" in str(caught.value)
    assert "A scored application 2 item 1 twice" in str(caught.value)
    with pytest.raises(ValueError, match="no scores"):
        normalise([])


def test_application_totals_give_raw_and_normalised_against_500_points() -> None:
    scores = [
        *_scores({"A": {1: 70, 2: 80, 3: 90}, "B": {1: 40, 2: 50, 3: 60}}, item="1"),
        *_scores({"A": {1: 65, 2: 75, 3: 85}, "B": {1: 45, 2: 55, 3: 65}}, item="2"),
    ]
    totals = application_totals(normalise(scores), {"1": 300, "2": 200})
    # Raw, application 1: 300 × 55 % + 200 × 55 % = 165 + 110.
    assert totals[1].raw_items == {"1": D("165.00"), "2": D("110.00")}
    assert totals[1].raw == D("275.00")
    assert [totals[a].raw for a in (1, 2, 3)] == [D("275.00"), D("325.00"), D("375.00")]
    # Both reviewers saw every application, so normalisation changes nothing here.
    assert [totals[a].normalised for a in (1, 2, 3)] == [D("275.00"), D("325.00"), D("375.00")]


def test_normalised_totals_correct_a_lenient_reviewer_on_a_split_panel() -> None:
    # A (lenient) scored applications 1–3, B (harsh) 4–6, C both halves. Truth: 1 < 4 …
    scores = _scores({
        "A": {1: 80, 2: 85, 3: 90},
        "B": {4: 60, 5: 65, 6: 70},
        "C": {1: 60, 2: 65, 3: 70, 4: 62, 5: 67, 6: 72},
    })
    totals = application_totals(normalise(scores), {"1": 500})
    raw = [totals[a].raw for a in range(1, 7)]
    normalised = [totals[a].normalised for a in range(1, 7)]
    assert raw[0] > raw[3]  # A's lenience puts application 1 above 4 on raw means
    assert normalised[0] < normalised[3]  # normalised restores C's order


def test_totals_refuse_a_missing_cell_or_an_unknown_item() -> None:
    scores = [*_scores({"A": {1: 70, 2: 80, 3: 90}}), RawScore("A", 1, "9", D(50))]
    with pytest.raises(ValueError) as caught:
        application_totals(normalise(scores), {"1": 300, "2": 200})
    message = str(caught.value)
    assert "item 9 is not in the standard's items" in message
    assert "application 2 has no score for item 2" in message


# --- agreement ---------------------------------------------------------------------------


def test_alpha_reproduces_krippendorffs_published_interval_example() -> None:
    # Krippendorff (2011), reliability data with missing values: interval α = 0.849.
    units = [
        [1, 1, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
        [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [5, 5, 5], [1, 1], [3],
    ]  # fmt: skip
    assert krippendorff_alpha_interval(units) == pytest.approx(0.849, abs=5e-4)


def test_alpha_is_one_for_perfect_agreement_and_undefined_without_variation() -> None:
    assert krippendorff_alpha_interval([[50, 50], [70, 70, 70], [30, 30]]) == pytest.approx(1.0)
    assert krippendorff_alpha_interval([[60, 60], [60, 60]]) is None
    assert krippendorff_alpha_interval([[60], [70]]) is None  # no unit with two values


def test_alpha_is_near_zero_or_below_when_reviewers_disagree_at_random() -> None:
    rng = np.random.default_rng(7)
    units = [list(rng.integers(0, 101, 3)) for _ in range(200)]
    alpha = krippendorff_alpha_interval(units)
    assert alpha is not None
    assert abs(alpha) < 0.1


def test_item_agreement_shows_where_reviewers_disagree() -> None:
    scores = [
        *_scores({"A": {1: 60, 2: 70, 3: 80}, "B": {1: 60, 2: 70, 3: 80}}, item="1.1"),
        *_scores({"A": {1: 30, 2: 80, 3: 50}, "B": {1: 70, 2: 40, 3: 50}}, item="1.2"),
        RawScore("C", 4, "1.2", D(90)),  # a lone score: missing cells for A and B
    ]
    agreement = item_agreement(scores)
    assert agreement["1.1"].alpha == pytest.approx(1.0)
    assert agreement["1.1"].mean_absolute_deviation == 0
    assert agreement["1.2"].alpha is not None and agreement["1.2"].alpha < 0
    # |30−50|, |70−50|, |80−60|, |40−60|, 0, 0 → 80 / 6.
    assert agreement["1.2"].mean_absolute_deviation == pytest.approx(80 / 6)
    assert (agreement["1.2"].applications, agreement["1.2"].scores) == (3, 6)


# --- Kendall τ ---------------------------------------------------------------------------


def test_kendall_tau_b_handles_order_reversal_and_ties() -> None:
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # 5 concordant pairs, 0 discordant, one tie in the second ranking: 5 / √(6·5).
    assert kendall_tau([1, 2, 3, 4], [1, 2, 2, 3]) == pytest.approx(5 / math.sqrt(30))
    with pytest.raises(ValueError, match="cannot compare 2 values with 3"):
        kendall_tau([1, 2], [1, 2, 3])


# --- the simulation ----------------------------------------------------------------------

SIMULATION = {
    "n_applications": 30,
    "n_reviewers": 5,
    "reviewers_per_application": 3,
    "noise": 5.0,
}
STRONG_BIASES = [-15.0, -8.0, 0.0, 8.0, 15.0]


def test_normalisation_recovers_the_true_order_better_under_strong_known_biases() -> None:
    raw, normalised = mean_taus(range(20), biases=STRONG_BIASES, **SIMULATION)
    # Observed: raw ≈ 0.77, normalised ≈ 0.90 (mean τ-b over seeds 0–19).
    assert normalised > raw + 0.08
    assert normalised > 0.85


def test_normalisation_does_little_harm_without_bias() -> None:
    raw, normalised = mean_taus(range(20), biases=[0.0] * 5, **SIMULATION)
    # Observed: raw ≈ 0.911, normalised ≈ 0.900: estimating each reviewer's scale costs a little.
    assert normalised >= raw - 0.03


def test_the_simulation_is_reproducible_and_balanced() -> None:
    first = simulate_bias(seed=3, biases=STRONG_BIASES, **SIMULATION)
    again = simulate_bias(seed=3, biases=STRONG_BIASES, **SIMULATION)
    other = simulate_bias(seed=4, biases=STRONG_BIASES, **SIMULATION)
    assert first == again
    assert first.true_quality != other.true_quality
    assert sum(first.reviewer_loads.values()) == 30 * 3
    assert max(first.reviewer_loads.values()) - min(first.reviewer_loads.values()) <= 1
    assert all(D(0) <= total <= D(500) for total in first.raw_totals)


def test_the_simulation_refuses_inconsistent_parameters() -> None:
    with pytest.raises(ValueError, match="one bias per reviewer"):
        simulate_bias(10, 5, 3, [0.0] * 4, 5.0, seed=1)
    with pytest.raises(ValueError, match="1 to 5 reviewers, not 6"):
        simulate_bias(10, 5, 6, [0.0] * 5, 5.0, seed=1)
    with pytest.raises(ValueError, match="at least 2 applications"):
        simulate_bias(1, 5, 3, [0.0] * 5, 5.0, seed=1)
