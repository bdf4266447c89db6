"""Fair scoring: reviewer calibration beside the consensus, agreement per item, τ, the
simulation and its targets (issue 18)."""

from __future__ import annotations

import itertools
import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mqa_workflow.scoring.calibration import (
    RawScore,
    SheetTotal,
    calibrate,
    item_agreement,
    kendall_tau,
    krippendorff_alpha_interval,
    mean_taus,
    parse_biases,
    reviewers_for_load,
    sheet_totals,
    simulate_bias,
    supported_reorders,
)

D = Decimal


def _scores(table: dict[str, dict[int, int]], item: str = "1") -> list[RawScore]:
    return [
        RawScore(reviewer, app, item, D(value))
        for reviewer, row in table.items() for app, value in row.items()
    ]


def _sheets(table: dict[str, dict[int, float]]) -> list[SheetTotal]:
    return [SheetTotal(reviewer, app, D(str(total)))
            for reviewer, row in table.items() for app, total in row.items()]


def _noisy(truth: dict[int, float], panels: dict[str, tuple[list[int], float]],
           seed: int = 1, noise: float = 4.0) -> list[SheetTotal]:
    """Sheets of reviewers (applications seen, leniency) on known qualities."""
    rng = np.random.default_rng(seed)
    return [SheetTotal(r, a, D(str(round(truth[a] + bias + rng.normal(0, noise), 2))))
            for r, (apps, bias) in panels.items() for a in apps]


# --- sheet totals --------------------------------------------------------------------------


def test_sheet_totals_weight_each_percentage_by_the_items_points() -> None:
    scores = [*_scores({"A": {1: 70, 2: 80}}, item="1"), *_scores({"A": {1: 50, 2: 60}}, "2")]
    totals = {(t.reviewer, t.application): t.total
              for t in sheet_totals(scores, {"1": 300, "2": 200})}
    assert totals == {("A", 1): D(310), ("A", 2): D(360)}  # 300 × 70 % + 200 × 50 % …


def test_sheet_totals_refuse_a_missing_item_an_unknown_item_or_bad_scores() -> None:
    scores = [*_scores({"A": {1: 70, 2: 80}}), RawScore("A", 1, "9", D(50))]
    with pytest.raises(ValueError) as caught:
        sheet_totals(scores, {"1": 300, "2": 200})
    assert "item 9 is not in the standard's items" in str(caught.value)
    assert "A's sheet on application 2 has no score for item 2" in str(caught.value)
    bad = [RawScore("A", 1, "1", D(101)), RawScore("A", 2, "1", D(50)),
           RawScore("A", 2, "1", D(60))]
    with pytest.raises(ValueError) as caught:
        sheet_totals(bad, {"1": 500})
    assert "A on application 1 item 1: 101 is outside 0–100" in str(caught.value)
    assert "A scored application 2 item 1 twice" in str(caught.value)
    with pytest.raises(ValueError, match="no scores"):
        sheet_totals([], {"1": 500})


# --- calibration ---------------------------------------------------------------------------


def test_a_lenient_and_a_harsh_reviewer_on_the_same_applications_change_nothing() -> None:
    # Both saw every application: their leniency is plain, and no order can change.
    sheets = _sheets({"A": {1: 350, 2: 400, 3: 450}, "B": {1: 200, 2: 250, 3: 300}})
    result = calibrate(sheets, maximum=500)
    assert result.reviewers["A"].leniency == pytest.approx(75, abs=0.5)
    assert result.reviewers["B"].leniency == pytest.approx(-75, abs=0.5)
    assert [result.applications[a].calibrated for a in (1, 2, 3)] == pytest.approx(
        [275, 325, 375])
    assert [result.applications[a].raw_mean for a in (1, 2, 3)] == [275, 325, 375]


def test_calibration_corrects_a_lenient_reviewer_on_a_split_panel() -> None:
    # A (lenient) saw 1–3, B (harsh) 4–6, C all six. Truth: 1 < 4, 2 < 5, 3 < 6.
    truth = {1: 300, 2: 325, 3: 350, 4: 310, 5: 335, 6: 360}
    sheets = _noisy(truth, {"A": ([1, 2, 3], 60), "B": ([4, 5, 6], -60),
                            "C": ([1, 2, 3, 4, 5, 6], 0)}, noise=2)
    result = calibrate(sheets, maximum=500)
    raw = [result.applications[a].raw_mean for a in range(1, 7)]
    calibrated = [result.applications[a].calibrated for a in range(1, 7)]
    assert raw[0] > raw[3]  # A's leniency puts application 1 above 4 on raw means
    assert calibrated[0] < calibrated[3]
    assert kendall_tau(list(truth.values()), calibrated) == pytest.approx(1.0)
    assert result.reviewers["A"].leniency - result.reviewers["B"].leniency == pytest.approx(
        120, abs=8)


def test_reviewers_given_only_strong_applications_are_not_pulled_down() -> None:
    # Industry-matched panels: A, B see a strong industry, C, D a weak one; nobody is biased.
    # The old per-reviewer z-score put both industries on one scale (issue 18).
    truth = {1: 400, 2: 425, 3: 450, 4: 200, 5: 225, 6: 250}
    sheets = _noisy(truth, {"A": ([1, 2, 3], 0), "B": ([1, 2, 3], 0),
                            "C": ([4, 5, 6], 0), "D": ([4, 5, 6], 0)})
    result = calibrate(sheets, maximum=500)
    assert [c.applications for c in result.components] == [(1, 2, 3), (4, 5, 6)]
    calibrated = {a: row.calibrated for a, row in result.applications.items()}
    assert min(calibrated[a] for a in (1, 2, 3)) > max(calibrated[a] for a in (4, 5, 6)) + 100
    assert kendall_tau(list(truth.values()), [calibrated[a] for a in truth]) == pytest.approx(1)


def test_a_reviewer_with_one_sheet_is_adjusted_less_than_one_with_many() -> None:
    # D and E both score 25 points above their co-reviewers' mean — D once, E ten times.
    truth = {a: 250 + 10 * a for a in range(1, 11)}
    panel = _noisy(truth, {r: (list(truth), 0) for r in "ABC"}, noise=6)
    mean = {a: float(np.mean([float(s.total) for s in panel if s.application == a]))
            for a in truth}
    sheets = [*panel, SheetTotal("D", 5, D(str(round(mean[5] + 25, 2)))),
              *(SheetTotal("E", a, D(str(round(mean[a] + 25, 2)))) for a in truth)]
    result = calibrate(sheets, maximum=500)
    few, many = result.reviewers["D"], result.reviewers["E"]
    assert 0 < few.leniency < many.leniency
    assert few.sd is not None and many.sd is not None and few.sd > many.sd
    assert "向 0 收缩" in few.note and many.note == ""


def test_no_leniency_beyond_noise_means_no_adjustment_and_a_flag() -> None:
    # Within each application A and B differ by ±1 in alternating signs: no pattern.
    sheets = _sheets({"A": {1: 301, 2: 349, 3: 401, 4: 449},
                      "B": {1: 299, 2: 351, 3: 399, 4: 451}})
    result = calibrate(sheets, maximum=500)
    assert not result.adjusted
    assert any("τ² ≈ 0" in note for note in result.notes)
    assert all(row.calibrated == row.raw_mean for row in result.applications.values())
    assert all(r.leniency == 0 for r in result.reviewers.values())
    assert supported_reorders(result, {1: 400, 2: 300, 3: 200, 4: 100}) == []


def test_single_sheets_everywhere_cannot_support_an_adjustment() -> None:
    result = calibrate(_sheets({"A": {1: 300, 2: 320}, "B": {3: 200}}), maximum=500)
    assert not result.adjusted
    assert "fewer than 2 degrees of freedom" in result.notes[0]
    assert all(row.sd is None and row.low is None for row in result.applications.values())
    assert [row.calibrated for row in result.applications.values()] == [300, 320, 200]


def test_a_part_of_the_graph_without_shared_applications_is_flagged_and_left_alone() -> None:
    truth = {1: 300, 2: 350, 3: 400, 4: 250}
    sheets = [*_noisy(truth, {"A": ([1, 2, 3], 20), "B": ([1, 2, 3], -20)}),
              SheetTotal("E", 4, D(260))]
    result = calibrate(sheets, maximum=500)
    lone = next(c for c in result.components if c.reviewers == ("E",))
    assert "没有申报有两份评分表" in lone.note
    assert result.reviewers["E"].leniency == 0 and lone.note in result.reviewers["E"].note
    assert result.applications[4].calibrated == 260
    assert result.reviewers["E"].sd is None and result.reviewers["A"].sd is not None
    assert result.adjusted  # the rest of the stage is calibrated as usual


def test_intervals_hold_the_estimate_and_stay_on_the_points_scale() -> None:
    truth = {1: 20, 2: 480, 3: 250, 4: 300}
    sheets = _noisy(truth, {"A": ([1, 2, 3, 4], 10), "B": ([1, 2, 3, 4], -10),
                            "C": ([1, 2], 0)}, noise=8)
    result = calibrate(sheets, maximum=500)
    for row in result.applications.values():
        assert row.low is not None and row.high is not None
        assert 0 <= row.low <= row.calibrated <= row.high <= 500
    assert result.confidence == 0.95


@pytest.mark.parametrize("reviewers", [5, 30])
def test_the_95_percent_intervals_hold_the_true_quality_about_95_percent_of_the_time(
    reviewers: int,
) -> None:
    rng = np.random.default_rng(11)
    covered = []
    for _ in range(60):
        truth = dict(enumerate(rng.normal(300, 60, 30), start=1))
        leniency = np.linspace(-75, 75, reviewers)  # centred: the scale of the average reviewer
        loads = np.zeros(reviewers)
        sheets = []
        for a, quality in truth.items():
            panel = np.lexsort((rng.random(reviewers), loads))[:3]
            loads[panel] += 1
            sheets += [SheetTotal(f"R{r}", a, D(str(round(
                quality + leniency[r] + rng.normal(0, 15), 2)))) for r in panel]
        result = calibrate(sheets, maximum=1000)
        covered += [row.low <= truth[a] <= row.high  # type: ignore[operator]
                    for a, row in result.applications.items()]
    # Measured: 0.950 with 5 reviewers, 0.935 with 30 (3 sheets each: σ and τ are taken
    # as known, so the intervals run a little narrow when each reviewer has few sheets).
    assert 0.92 <= np.mean(covered) <= 0.97


def test_a_reorder_is_reported_only_when_the_intervals_separate() -> None:
    truth = {1: 300, 2: 330, 3: 302}
    panels = {"A": ([1, 3], 80), "B": ([2, 3], -80), "C": ([1, 2], 0),
              "D": ([1, 2, 3], 0)}
    result = calibrate(_noisy(truth, panels, noise=1), maximum=500)
    official = {a: row.raw_mean for a, row in result.applications.items()}
    assert official[1] > official[2]  # A's leniency put 1 above 2 on the official order
    reorders = supported_reorders(result, official)
    assert [(r.above, r.below) for r in reorders] == [(2, 1)]
    # Same sheets, but far noisier: the point estimates may swap, the intervals overlap.
    noisy = calibrate(_noisy(truth, panels, noise=40), maximum=500)
    rows = noisy.applications
    assert rows[2].low < rows[1].high  # type: ignore[operator]
    assert (2, 1) not in {(r.above, r.below) for r in supported_reorders(noisy, official)}


def test_no_reorder_is_claimed_between_parts_of_the_graph() -> None:
    sheets = _sheets({"A": {1: 400, 2: 420}, "B": {1: 380, 2: 402},
                      "C": {3: 100, 4: 130}, "D": {3: 98, 4: 128}})
    result = calibrate(sheets, maximum=500)
    assert len(result.components) == 2
    upside_down = {1: 1.0, 2: 2.0, 3: 400.0, 4: 401.0}  # 3 and 4 "officially" on top
    assert result.adjusted
    # 1 and 2 are calibrated far above 3 and 4, intervals apart, yet in another part.
    assert result.applications[1].low > result.applications[4].high  # type: ignore[operator]
    assert supported_reorders(result, upside_down) == []


def test_calibration_refuses_two_sheets_of_one_reviewer_on_one_application() -> None:
    with pytest.raises(ValueError, match="two sheets on one application: A on 1"):
        calibrate([SheetTotal("A", 1, D(1)), SheetTotal("A", 1, D(2))], maximum=500)
    with pytest.raises(ValueError, match="no sheets"):
        calibrate([], maximum=500)


totals = st.integers(min_value=50, max_value=450)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(totals, min_size=3, max_size=3), min_size=2, max_size=6))
def test_when_every_reviewer_sees_every_application_calibration_keeps_the_raw_order(
    table: list[list[int]],
) -> None:
    # A complete design: each application's panel is the same, so leniency cannot reorder.
    sheets = [SheetTotal(f"R{r}", a, D(row[r])) for a, row in enumerate(table)
              for r in range(3)]
    result = calibrate(sheets, maximum=500)
    for row in result.applications.values():
        assert row.calibrated == pytest.approx(row.raw_mean, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 8), st.integers(200, 300)),
                min_size=2, max_size=30),
       st.integers(min_value=-40, max_value=40))
def test_shifting_every_sheet_shifts_every_calibrated_total_and_no_leniency(
    cells: list[tuple[int, int, int]], shift: int,
) -> None:
    # Totals 200–300 and shifts of ±40 keep every estimate off the 0 and 1000 clips.
    unique = {(r, a): t for r, a, t in cells}
    sheets = [SheetTotal(f"R{r}", a, D(t)) for (r, a), t in unique.items()]
    moved = [SheetTotal(s.reviewer, s.application, s.total + shift) for s in sheets]
    before, after = calibrate(sheets, maximum=1000), calibrate(moved, maximum=1000)
    for a, row in before.applications.items():
        assert after.applications[a].calibrated == pytest.approx(row.calibrated + shift,
                                                                 abs=1e-4)
    for r, lenience in before.reviewers.items():
        assert after.reviewers[r].leniency == pytest.approx(lenience.leniency, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 8), totals), min_size=2,
                max_size=40),
       st.dictionaries(st.integers(1, 8), st.floats(0, 500), min_size=8, max_size=8))
def test_every_reorder_shown_is_within_one_part_with_separate_intervals(
    cells: list[tuple[int, int, int]], official: dict[int, float],
) -> None:
    unique = {(r, a): t for r, a, t in cells}
    result = calibrate([SheetTotal(f"R{r}", a, D(t)) for (r, a), t in unique.items()],
                       maximum=500)
    rows = result.applications
    assert all(0 <= row.calibrated <= 500 for row in rows.values())
    for reorder in supported_reorders(result, official):
        above, below = rows[reorder.above], rows[reorder.below]
        assert above.component == below.component
        assert official[reorder.below] > official[reorder.above]
        assert above.low > below.high  # type: ignore[operator]


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


# --- the simulation and the targets of issue 18 ------------------------------------------

SIMULATION = {
    "n_applications": 30,
    "n_reviewers": 5,
    "reviewers_per_application": 3,
    "noise": 5.0,
}
SEEDS = range(20)


def test_biases_of_15_points_are_calibrated_away_up_to_the_noise_ceiling() -> None:
    summary = mean_taus(SEEDS, biases=parse_biases("15", 5), **SIMULATION)
    # Measured: raw 0.768, calibrated 0.909, unbiased reviewers 0.910.
    assert summary.calibrated > summary.raw + 0.1
    assert summary.calibrated >= summary.unbiased - 0.01
    # τ ≥ 0.95 is above what even unbiased reviewers reach with this much noise …
    assert summary.unbiased < 0.95
    # … and holds once the noise allows it (noise sd 2.5: ceiling 0.954).
    quieter = mean_taus(SEEDS, biases=parse_biases("15", 5), **{**SIMULATION, "noise": 2.5})
    assert quieter.calibrated >= 0.95


def test_without_bias_calibration_is_never_meaningfully_worse() -> None:
    summary = mean_taus(SEEDS, biases=[0.0] * 5, **SIMULATION)
    assert summary.calibrated >= summary.raw - 0.005


@pytest.mark.parametrize("spread", ["15", "5", "0"])
def test_clustered_assignment_with_industry_quality_never_loses_to_raw_means(
    spread: str,
) -> None:
    clustered = {**SIMULATION, "n_reviewers": 12, "assignment": "clustered"}
    summary = mean_taus(SEEDS, biases=parse_biases(spread, 12), **clustered)
    assert summary.calibrated >= summary.raw


@pytest.mark.parametrize("per_reviewer", [2, 3])
def test_with_two_or_three_sheets_per_reviewer_shrinkage_keeps_calibration_safe(
    per_reviewer: int,
) -> None:
    pool = reviewers_for_load(30, 3, per_reviewer)
    few = {**SIMULATION, "n_reviewers": pool}
    unbiased = mean_taus(SEEDS, biases=[0.0] * pool, **few)
    assert unbiased.calibrated >= unbiased.raw - 0.005
    biased = mean_taus(SEEDS, biases=parse_biases("15", pool), **few)
    assert biased.calibrated > biased.raw + 0.1


def test_the_simulation_is_reproducible_and_balanced() -> None:
    biases = parse_biases("15", 5)
    first = simulate_bias(seed=3, biases=biases, **SIMULATION)
    again = simulate_bias(seed=3, biases=biases, **SIMULATION)
    other = simulate_bias(seed=4, biases=biases, **SIMULATION)
    assert first == again
    assert first.applications != other.applications
    assert sum(first.reviewer_loads.values()) == 30 * 3
    assert max(first.reviewer_loads.values()) - min(first.reviewer_loads.values()) <= 1
    assert all(0 <= a.raw_mean <= 500 for a in first.applications)


def test_clustered_panels_come_from_the_applications_own_industry() -> None:
    result = simulate_bias(seed=1, biases=[0.0] * 9, assignment="clustered",
                           industry_spread=10.0, **{**SIMULATION, "n_reviewers": 9})
    # Three reviewers per industry, three per application: each industry is its own part.
    assert result.components == 3
    by_industry = {i: [a.true_quality for a in result.applications if a.industry == i]
                   for i in range(3)}
    assert np.mean(by_industry[0]) < np.mean(by_industry[2])


def test_the_simulation_refuses_inconsistent_parameters() -> None:
    with pytest.raises(ValueError, match="one bias per reviewer"):
        simulate_bias(10, 5, 3, [0.0] * 4, 5.0, seed=1)
    with pytest.raises(ValueError, match="1 to 5 reviewers, not 6"):
        simulate_bias(10, 5, 6, [0.0] * 5, 5.0, seed=1)
    with pytest.raises(ValueError, match="at least 2 applications"):
        simulate_bias(1, 5, 3, [0.0] * 5, 5.0, seed=1)
    with pytest.raises(ValueError, match="random or clustered, not 'mixed'"):
        simulate_bias(10, 5, 3, [0.0] * 5, 5.0, seed=1, assignment="mixed")


def test_biases_are_a_spread_or_one_per_reviewer() -> None:
    assert parse_biases("15", 5) == [-15, -7.5, 0, 7.5, 15]
    assert parse_biases("±10", 3) == [-10, 0, 10]
    assert parse_biases("-3,0,4", 3) == [-3, 0, 4]
    with pytest.raises(ValueError, match="2 values for 3 reviewers"):
        parse_biases("1,2", 3)
    with pytest.raises(ValueError, match="give a spread such as 15"):
        parse_biases("lots", 3)
    assert reviewers_for_load(30, 3, 2) == 45


# --- the CLI -------------------------------------------------------------------------------


def test_mqa_fairness_simulate_prints_raw_calibrated_and_the_ceiling(mqa: object) -> None:
    output = mqa("fairness", "simulate", "--seeds", "2", "--biases", "15",  # type: ignore[operator]
                 "--assignment", "clustered", "--reviewers", "9")
    assert "τ raw means" in output and "τ calibrated" in output and "ceiling" in output
    assert "clustered assignment" in output


def test_mqa_fairness_simulate_json_lets_anyone_recompute_tau(mqa: object) -> None:
    output = mqa("fairness", "simulate", "--seeds", "2", "--biases", "-15,0,15,5,-5",  # type: ignore[operator]
                 "--biases", "0", "--per-reviewer", "18", "--format", "json")
    figures = json.loads(output)
    assert figures["parameters"]["n_reviewers"] == 5
    first = figures["scenarios"][0]
    assert first["biases"] == [-15, 0, 15, 5, -5]
    for cycle in first["cycles"]:
        rows = cycle["applications"]
        truth = [r["true_quality"] for r in rows]
        assert kendall_tau(truth, [r["calibrated_total"] for r in rows]) == pytest.approx(
            cycle["tau_calibrated"], abs=1e-9)
        assert kendall_tau(truth, [r["raw_mean_total"] for r in rows]) == pytest.approx(
            cycle["tau_raw"], abs=1e-9)
    assert first["mean_tau_calibrated"] == pytest.approx(
        np.mean([c["tau_calibrated"] for c in first["cycles"]]))


def test_mqa_fairness_simulate_refuses_bad_biases_with_exit_code_2(mqa: object) -> None:
    output = mqa("fairness", "simulate", "--biases", "1,2", code=2)  # type: ignore[operator]
    assert "2 values for 5 reviewers" in output


def test_the_shenzhen_demo_report_shows_no_unsupported_reorder(
    mqa: object, tmp_path: Path,
) -> None:
    # Issue 18: application 19 (consensus 235.5) normalised to 353.66, above application 1
    # (363.5 → 348.20). The same demo now calibrates within parts of the graph only.
    from mqa_workflow.db import Database
    from mqa_workflow.demo.service import run_demo
    from mqa_workflow.scoring.fairness import fairness_report
    from tests.migrated import migrated_sqlite

    url = migrated_sqlite(tmp_path / 'cli.sqlite3')
    database = Database(url)
    run_demo(database, applications=24, seed=2026, reports_dir=tmp_path / "r",
             procedure="shenzhen")
    with database.session() as session:
        for award_class in ("economic", "social", "ecological", "management", "service"):
            report = fairness_report(session, 1, award_class, "document_review")
            official = {r.application_id: float(r.consensus or r.calibration.raw_mean)
                        for r in report.applications}
            rows = {r.application_id: r.calibration for r in report.applications}
            for reorder in report.reorders:  # any reorder shown is one the intervals support
                assert rows[reorder.above].low > rows[reorder.below].high  # type: ignore[operator]
                assert official[reorder.below] > official[reorder.above]
            # The case, in general: a gap of 100 points in the official
            # consensus is never turned round by calibration (235.5 above 363.5 was).
            for a, b in itertools.permutations(rows, 2):
                if official[a] - official[b] > 100:
                    assert rows[a].calibrated > rows[b].calibrated, (award_class, a, b)
    output = mqa("fairness", "report", "--cycle", "1", "--class", "economic")  # type: ignore[operator]
    assert "校准仅供参考，正式结果以共识分为准" in output
    assert "没有得到区间支持的排序变化" in output
