"""Stage weights: validation, the social-evaluation mapping, exact consolidation on 500."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mqa_workflow.procedure.weights import (
    STAGES,
    Consolidation,
    SocialEvaluation,
    StageWeights,
    WeightsError,
    consolidate,
    stage_weights,
    stage_weights_from_percentages,
)

D = Decimal
THREE = ("document_review", "defence", "site_visit")
FORTY_FORTY_TWENTY = stage_weights(
    {"document_review": "0.4", "defence": "0.4", "site_visit": "0.2"}, THREE
)


def test_forty_forty_twenty_combines_exactly_on_500_points() -> None:
    result = consolidate(
        FORTY_FORTY_TWENTY,
        {"document_review": D("412.75"), "defence": D("398.5"), "site_visit": D("430.25")},
    )
    # 0.4 × 412.75 + 0.4 × 398.5 + 0.2 × 430.25 = 165.1 + 159.4 + 86.05.
    assert result.total == D("410.55")
    assert result.contributions == {
        "document_review": D("165.100"), "defence": D("159.400"), "site_visit": D("86.050"),
    }  # fmt: skip
    assert result.explain() == (
        "0.4 × 412.75 (document_review) + 0.4 × 398.5 (defence) + 0.2 × 430.25 (site_visit) "
        "= 410.550 of 500"
    )


def test_the_total_stays_exact_where_floats_would_drift() -> None:
    weights = stage_weights(
        {"document_review": "0.1", "defence": "0.2", "site_visit": "0.3",
         "social_evaluation": "0.4"}, STAGES,
    )
    result = consolidate(weights, {s: D("333.3") for s in STAGES})
    assert result.total == D("333.3")
    assert 0.1 * 333.3 + 0.2 * 333.3 + 0.3 * 333.3 + 0.4 * 333.3 != 333.3  # 333.30000000000007


def test_rounding_is_for_display_only() -> None:
    weights = stage_weights({"document_review": "0.35", "defence": "0.65"}, THREE[:2])
    result = consolidate(weights, {"document_review": D("401.01"), "defence": D("399.99")})
    # 0.35 × 401.01 + 0.65 × 399.99 = 140.3535 + 259.9935.
    assert result.total == D("400.3470")
    assert result.rounded == D("400.35")


def test_weights_given_as_percentages_or_yaml_floats_are_accepted() -> None:
    from_percentages = stage_weights_from_percentages(
        {"document_review": 40, "defence": 40, "site_visit": 20}, THREE
    )
    from_floats = stage_weights({"document_review": 0.4, "defence": 0.4, "site_visit": 0.2}, THREE)
    assert from_percentages == from_floats == FORTY_FORTY_TWENTY
    assert FORTY_FORTY_TWENTY.stages == THREE


def test_social_evaluation_maps_a_satisfaction_rate_onto_500() -> None:
    assert SocialEvaluation(D("86.4")).on_500 == D("432.00")
    assert SocialEvaluation(D(0)).on_500 == D("0.00")
    assert SocialEvaluation(D(100)).on_500 == D("500.00")


def test_social_evaluation_maps_a_score_on_another_scale_to_the_cent() -> None:
    assert SocialEvaluation(D(17), out_of=D(30), method="专家问卷").on_500 == D("283.33")
    assert SocialEvaluation(D("4.5"), out_of=D(5)).on_500 == D("450.00")


def test_a_survey_result_outside_its_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="outside 0 to 100"):
        SocialEvaluation(D("100.5"))
    with pytest.raises(ValueError, match="scale must be positive"):
        SocialEvaluation(D(0), out_of=D(0))


def test_all_four_stages_with_a_survey_result() -> None:
    weights = stage_weights_from_percentages(
        {"document_review": 30, "defence": 30, "site_visit": 30, "social_evaluation": 10}, STAGES
    )
    result = consolidate(weights, {
        "document_review": D(400), "defence": D(420), "site_visit": D(410),
        "social_evaluation": SocialEvaluation(D("90")),
    })
    assert result.stage_totals["social_evaluation"] == D("450.00")
    assert result.total == D("414.0000")  # 120 + 126 + 123 + 45


def test_weights_that_do_not_sum_to_one_are_refused_with_the_sum() -> None:
    with pytest.raises(WeightsError, match=r"sum to exactly 1; 0.33 \+ 0.33 \+ 0.33 = 0.99"):
        stage_weights({"document_review": "0.33", "defence": "0.33", "site_visit": "0.33"}, THREE)


def test_unknown_negative_and_non_numeric_weights_are_all_reported() -> None:
    with pytest.raises(WeightsError) as caught:
        stage_weights({"document": "0.5", "defence": "-0.1", "site_visit": "abc"}, THREE)
    problems = caught.value.problems
    assert any("unknown stage 'document'" in p for p in problems)
    assert "site_visit: 'abc' is not a number" in problems
    with pytest.raises(WeightsError, match=r"defence: a weight cannot be negative \(-0.1\)"):
        stage_weights({"document_review": "1.1", "defence": "-0.1"}, ("document_review", "defence"))


def test_a_stage_the_cycle_does_not_run_must_weigh_zero() -> None:
    with pytest.raises(WeightsError, match="site_visit: the cycle does not run this stage"):
        stage_weights({"document_review": "0.5", "defence": "0.3", "site_visit": "0.2"},
                      ("document_review", "defence"))
    weights = stage_weights(
        {"document_review": "0.6", "defence": "0.4", "site_visit": 0},
        ("document_review", "defence"),
    )
    assert weights.stages == ("document_review", "defence")


def test_a_stage_the_cycle_runs_must_carry_weight() -> None:
    with pytest.raises(WeightsError, match="social_evaluation: the cycle runs this stage but"):
        stage_weights({"document_review": "0.5", "defence": "0.5"},
                      ("document_review", "defence", "social_evaluation"))


def test_an_unknown_used_stage_is_refused() -> None:
    with pytest.raises(WeightsError, match="unknown stage 'hearing'"):
        stage_weights({"document_review": 1}, ("document_review", "hearing"))


def test_weights_built_directly_are_validated_too() -> None:
    with pytest.raises(WeightsError, match="sum to exactly 1"):
        StageWeights({"document_review": D("0.5")})


def test_consolidation_refuses_missing_extra_float_and_out_of_range_totals() -> None:
    with pytest.raises(WeightsError) as caught:
        consolidate(FORTY_FORTY_TWENTY, {
            "document_review": D("501"), "defence": 398.5,
            "social_evaluation": SocialEvaluation(D(90)),
        })
    problems = caught.value.problems
    assert "document_review: a total of 501 is outside 0 to 500" in problems
    assert "defence: 398.5 is not a decimal total (floats are refused)" in problems
    assert "site_visit: no total given, but the stage weighs 0.2" in problems
    assert "social_evaluation: a total was given but the cycle gives this stage no weight" in (
        problems
    )


def test_a_survey_result_given_for_another_stage_is_refused() -> None:
    with pytest.raises(WeightsError, match="belongs to social_evaluation only"):
        consolidate(FORTY_FORTY_TWENTY, {
            "document_review": SocialEvaluation(D(90)), "defence": D(1), "site_visit": D(1),
        })


def test_the_consolidation_is_a_value_on_500() -> None:
    result = consolidate(FORTY_FORTY_TWENTY, {s: D(500) for s in THREE})
    assert isinstance(result, Consolidation)
    assert result.total == D(500)
