"""The loader accepts the six shipped standards and refuses every kind of malformed file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mqa_workflow.standards.loader import (
    StandardFileError,
    UnknownStandardError,
    load_standard,
    load_standard_file,
    load_standards,
    standards_dir,
)
from mqa_workflow.standards.models import CLASS_IDS

NON_ECONOMIC = [c for c in CLASS_IDS if c != "economic"]


def edited_copy(tmp_path: Path, class_id: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    """Copy the six shipped files to tmp_path and apply ``edit`` to one of them."""
    for source in standards_dir().glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    path = tmp_path / f"{class_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StandardFileError) as caught:
        load_standard_file(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    return caught.value.problems


def test_all_six_classes_load_in_award_order() -> None:
    assert list(load_standards()) == list(CLASS_IDS)


@pytest.mark.parametrize("class_id", CLASS_IDS)
def test_every_class_totals_500_points(class_id: str) -> None:
    standard = load_standard(class_id)
    assert standard.total_points == 500
    assert sum(c.points for c in standard.categories) == 500
    assert sum(item.points for item in standard.scored_items()) == 500


def test_economic_has_six_categories_of_two_process_items_and_one_results_item() -> None:
    standard = load_standard("economic")
    assert len(standard.categories) == 6
    for category in standard.categories:
        assert [item.kind for item in category.items] == ["process", "process", "results"]
        assert [item.scoring_guide for item in category.items] == ["process", "process", "results"]


@pytest.mark.parametrize("class_id", NON_ECONOMIC)
def test_non_economic_classes_have_three_categories_and_eight_sub_categories(
    class_id: str,
) -> None:
    standard = load_standard(class_id)
    assert [c.points for c in standard.categories] == [120, 130, 250]
    assert sum(len(c.sub_categories) for c in standard.categories) == 8
    kinds = {item.kind for item in standard.categories[2].scored_items()}
    assert kinds == {"results"}


def test_unknown_class_is_refused_with_the_list_of_classes() -> None:
    with pytest.raises(UnknownStandardError, match="economic, cultural"):
        load_standard("sports")


def test_item_points_not_summing_to_their_category_name_file_and_code(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][0]["items"][0]["points"] = 25

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    expected = "category 1: has 80 points but its parts add up to 85"
    assert any(p.startswith(expected) for p in problems)


def test_sub_category_points_not_summing_to_its_items_are_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][0]["sub_categories"][0]["items"][0]["points"] = 35

    problems = problems_of(edited_copy(tmp_path, "cultural", edit))
    assert any(p.startswith("sub-category 1.1: has 60 points") for p in problems)


def test_a_class_not_worth_500_points_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["total_points"] = 600

    problems = problems_of(edited_copy(tmp_path, "social", edit))
    assert any("every award class is worth 500 points" in p for p in problems)
    assert any(p.startswith("standard social: has 600 points") for p in problems)


def test_a_duplicated_code_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][1]["items"][1]["code"] = "2.1"

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert "code 2.1: used 2 times; codes must be unique" in problems


def test_a_code_outside_its_parent_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][1]["sub_categories"][0]["items"][0]["code"] = "9.1.1"

    problems = problems_of(edited_copy(tmp_path, "ecological", edit))
    assert any(p.startswith("code 9.1.1: does not sit under its parent 2.1") for p in problems)


def test_an_item_naming_a_missing_scoring_guide_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][0]["items"][0]["scoring_guide"] = "proces"

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert any(
        p.startswith("item 1.1: names scoring guide 'proces', which the standard does not define")
        for p in problems
    )


def test_an_item_scored_with_the_other_kind_of_guide_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][0]["items"][2]["scoring_guide"] = "process"

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert any(p.startswith("item 1.3: is a results item but its scoring guide") for p in problems)


def test_a_missing_field_names_the_item_and_the_field(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["categories"][0]["items"][1]["name"]

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert "category 1 > item 1.2: name: Field required" in problems


def test_a_value_of_the_wrong_type_names_the_item(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][2]["sub_categories"][0]["items"][1]["points"] = "fifty"

    problems = problems_of(edited_copy(tmp_path, "management", edit))
    expected = "category 3 > sub-category 3.1 > item 3.1.2: points:"
    assert any(p.startswith(expected) for p in problems)


def test_a_misspelt_key_is_refused_not_ignored(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][0]["items"][0]["pionts"] = 20

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert "category 1 > item 1.1: pionts: Extra inputs are not permitted" in problems


def test_a_gap_between_scoring_bands_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        guide = next(g for g in data["scoring_guides"] if g["id"] == "results")
        del guide["bands"][1]

    problems = problems_of(edited_copy(tmp_path, "service", edit))
    assert "scoring guide results: 20% must fall in exactly one band, found none" in problems


def test_an_economic_band_value_off_the_step_is_refused(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["scoring_guides"][0]["bands"][1]["values"] = [10, 15, 20, 22, 25]

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert any("lists 22, outside the band or off the guide's step of 5" in p for p in problems)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["categories"][0]["items"][0]["points"] = 25
        data["categories"][3]["items"][0]["scoring_guide"] = "nope"
        data["class_id"] = "cultural"

    problems = problems_of(edited_copy(tmp_path, "economic", edit))
    assert len(problems) >= 3
    assert problems[0] == "class_id 'cultural' does not match the file name"


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "economic.yaml"
    path.write_text("categories: [unclosed\n", encoding="utf-8")
    assert problems_of(path)[0].startswith("is not valid YAML")


def test_a_missing_class_file_is_refused_when_loading_all(tmp_path: Path) -> None:
    edited_copy(tmp_path, "economic", lambda data: None)
    (tmp_path / "service.yaml").unlink()
    with pytest.raises(StandardFileError, match=r"service\.yaml: invalid standard"):
        load_standards(tmp_path)
