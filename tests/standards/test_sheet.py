"""Score arithmetic on hand-computed sheets, and every refusal of a bad sheet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mqa_workflow.scoring.input import parse_sheet
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.sheet import ScoreSheetError, score_sheet

# Hand-computed: points × percentage / 100 per item, summed by category.
ECONOMIC_SHEET = {
    "1.1": 55, "1.2": 60, "1.3": 45,  # 11 + 12 + 18 = 41
    "2.1": 55, "2.2": 65, "2.3": 50,  # 13.75 + 13 + 20 = 46.75
    "3.1": 70, "3.2": 35, "3.3": 60,  # 14 + 8.75 + 24 = 46.75
    "4.1": 45, "4.2": 15, "4.3": 5,  # 6.75 + 3 + 2 = 11.75
    "5.1": 85, "5.2": 90, "5.3": 100,  # 21.25 + 22.5 + 40 = 83.75
    "6.1": 0, "6.2": 25, "6.3": 95,  # 0 + 5 + 38 = 43
}  # fmt: skip

CULTURAL_SHEET = {
    "1.1.1": 73, "1.1.2": 20, "1.2.1": 55, "1.2.2": 81,  # 21.9 + 6 + 22 + 16.2 = 66.1
    "2.1.1": 40, "2.1.2": 33, "2.2.1": 99, "2.2.2": 67,  # 8 + 4.95 + 19.8 + 10.05
    "2.3.1": 0, "2.3.2": 100,  # 0 + 30; category 2 = 72.8
    "3.1.1": 59, "3.1.2": 61, "3.2.1": 77, "3.2.2": 19,  # 23.6 + 30.5 + 38.5 + 5.7
    "3.3.1": 85, "3.3.2": 60,  # 34 + 24; category 3 = 156.3
}  # fmt: skip


def test_economic_sheet_matches_the_hand_computation() -> None:
    breakdown = score_sheet(load_standard("economic"), ECONOMIC_SHEET)
    assert breakdown.categories == {
        "1": Decimal("41"),
        "2": Decimal("46.75"),
        "3": Decimal("46.75"),
        "4": Decimal("11.75"),
        "5": Decimal("83.75"),
        "6": Decimal("43"),
    }
    assert breakdown.items["2.1"].points == Decimal("13.75")
    assert breakdown.kinds == {"process": Decimal("131"), "results": Decimal("142")}
    assert breakdown.total == Decimal("273")


def test_economic_bands_follow_the_guide_values() -> None:
    breakdown = score_sheet(load_standard("economic"), ECONOMIC_SHEET)
    bands = {code: score.band.label for code, score in breakdown.items.items()}
    assert bands["1.1"] == "50–65%"
    assert bands["4.3"] == "0–5%"
    assert bands["6.1"] == "0–5%"
    assert bands["4.2"] == "10–25%"
    assert bands["5.3"] == "90–100%"


def test_cultural_sheet_matches_the_hand_computation() -> None:
    breakdown = score_sheet(load_standard("cultural"), CULTURAL_SHEET)
    assert breakdown.sub_categories == {
        "1.1": Decimal("27.9"),
        "1.2": Decimal("38.2"),
        "2.1": Decimal("12.95"),
        "2.2": Decimal("29.85"),
        "2.3": Decimal("30"),
        "3.1": Decimal("54.1"),
        "3.2": Decimal("44.2"),
        "3.3": Decimal("58"),
    }
    assert breakdown.categories == {
        "1": Decimal("66.1"),
        "2": Decimal("72.8"),
        "3": Decimal("156.3"),
    }
    assert breakdown.kinds == {"process": Decimal("138.9"), "results": Decimal("156.3")}
    assert breakdown.total == Decimal("295.2")


def test_shared_band_boundaries_belong_to_the_higher_band_and_100_to_the_top() -> None:
    breakdown = score_sheet(load_standard("cultural"), CULTURAL_SHEET)
    bands = {code: score.band for code, score in breakdown.items.items()}
    assert bands["1.1.2"].label == "20–40%"  # 20 %
    assert bands["2.1.1"].label == "40–60%"  # 40 %
    assert bands["3.3.2"].label == "60–80%"  # 60 %
    assert bands["3.2.2"].label == "0–20%"  # 19 %
    assert bands["2.3.2"].label == "80–100%"  # 100 %
    assert bands["2.3.1"].label == "0–20%"  # 0 %
    assert bands["1.2.2"].level == "卓越水平"  # 81 % on the process guide


def test_85_points_at_55_percent_is_exactly_46_75() -> None:
    breakdown = score_sheet(load_standard("cultural"), CULTURAL_SHEET)
    # 2.2.2 is 15 points at 67 %: 10.05 exactly, where floats give 10.049999…
    assert breakdown.items["2.2.2"].points == Decimal("10.05")
    assert Decimal(85) * Decimal(55) / Decimal(100) == Decimal("46.75")


def test_json_breakdown_has_the_documented_shape() -> None:
    data = score_sheet(load_standard("economic"), ECONOMIC_SHEET).to_json()
    assert data["standard"] == "economic"
    assert data["total"] == 273
    assert data["categories"]["2"] == 46.75
    assert data["items"]["5.2"] == 22.5
    assert set(data["items"]) == set(ECONOMIC_SHEET)


def refusal(class_id: str, scores: dict[str, object], step: int | None = None) -> list[str]:
    with pytest.raises(ScoreSheetError) as caught:
        score_sheet(load_standard(class_id), scores, step)
    return caught.value.problems


def test_a_missing_item_is_refused_naming_it() -> None:
    scores = dict(ECONOMIC_SHEET)
    del scores["3.2"]
    assert refusal("economic", scores) == [
        "item 3.2 顾客增值: missing; every scored item needs a percentage"
    ]


def test_an_unknown_code_is_refused() -> None:
    problems = refusal("economic", {**ECONOMIC_SHEET, "7.1": 50})
    assert problems == [
        "7.1: unknown item code; standard economic has no scored item with that code"
    ]


def test_a_category_code_is_refused_as_not_a_scored_item() -> None:
    problems = refusal("cultural", {**CULTURAL_SHEET, "1.1": 50})
    assert problems == ["1.1: is a category, not a scored item; score its items instead"]


def test_an_economic_value_off_the_5_percent_steps_is_refused() -> None:
    problems = refusal("economic", {**ECONOMIC_SHEET, "1.1": 52})
    assert problems == [
        "item 1.1 文化引领: 52 is not an allowed value; the 过程评分指南 takes multiples of 5 "
        "from 0 to 100"
    ]


def test_a_fractional_non_economic_value_is_refused() -> None:
    problems = refusal("social", {**CULTURAL_SHEET, "3.1.1": Decimal("59.5")})
    assert len(problems) == 1
    assert "3.1.1" in problems[0]
    assert "the 结果评分指南 takes multiples of 1" in problems[0]


@pytest.mark.parametrize("value", [101, -5, Decimal("100.5")])
def test_a_value_out_of_range_is_refused(value: object) -> None:
    problems = refusal("economic", {**ECONOMIC_SHEET, "2.3": value})
    assert problems == [
        f"item 2.3 战略规划的结果: {value} is out of range; percentages run from 0 to 100"
    ]


@pytest.mark.parametrize("value", ["55%", "55", None, True, [55], float("nan")])
def test_a_value_that_is_not_a_number_is_refused(value: object) -> None:
    problems = refusal("economic", {**ECONOMIC_SHEET, "1.2": value})
    assert len(problems) == 1
    assert problems[0].startswith("item 1.2 组织治理: ")
    assert "is not a number" in problems[0]


def test_every_problem_of_a_sheet_is_reported_at_once() -> None:
    scores = {**ECONOMIC_SHEET, "1.1": 52, "1.2": "x", "2.3": 120, "9.9": 10}
    del scores["6.3"]
    problems = refusal("economic", scores)
    assert [p.split(":")[0] for p in problems] == [
        "item 1.1 文化引领",
        "item 1.2 组织治理",
        "item 2.3 战略规划的结果",
        "item 6.3 高质量运营的结果",
        "9.9",
    ]


def test_a_cycle_may_configure_a_coarser_step_for_non_economic_classes() -> None:
    standard = load_standard("cultural")
    coarse = {code: 50 for code in CULTURAL_SHEET}
    assert score_sheet(standard, coarse, step=10).total == Decimal(250)
    problems = refusal("cultural", {**coarse, "1.1.1": 73}, step=10)
    assert problems == [
        "item 1.1.1 确定方向: 73 is not an allowed value; the 过程评分指南 takes multiples of "
        "10 from 0 to 100"
    ]


def test_a_step_finer_than_the_economic_guide_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="does not fit the 过程评分指南"):
        score_sheet(load_standard("economic"), ECONOMIC_SHEET, step=3)


def test_sheet_file_numbers_are_read_as_exact_decimals() -> None:
    sheet = parse_sheet('{"standard": "economic", "scores": {"1.1": 55.0}}')
    assert sheet.scores["1.1"] == Decimal("55.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"standard": "sports", "scores": {}}', "standard: 'sports' is not an award class"),
        ('{"standard": "economic", "scores": [1]}', "scores: must be an object"),
        ('{"standard": "economic", "scores": {}, "total": 3}', "unexpected field(s): total"),
    ],
)
def test_a_malformed_sheet_file_is_refused(text: str, expected: str) -> None:
    with pytest.raises(ScoreSheetError) as caught:
        parse_sheet(text)
    assert caught.value.problems[0].startswith(expected)


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("380.000"), "380.00"), (Decimal("46.75"), "46.75"), (Decimal("12.345"), "12.35"),
    (Decimal("12.3449"), "12.34"), (0, "0.00"), (None, "—"),
])
def test_a_score_is_shown_with_two_decimals_rounded_half_up(value: object, shown: str) -> None:
    from mqa_workflow.scoring.points import points

    assert points(value) == shown  # type: ignore[arg-type]
