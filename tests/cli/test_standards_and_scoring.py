"""The ``mqa standards`` and ``mqa score`` commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mqa_workflow.cli import app
from tests.standards.test_sheet import CULTURAL_SHEET, ECONOMIC_SHEET

runner = CliRunner()


def write_sheet(tmp_path: Path, standard: str, scores: dict[str, object]) -> Path:
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps({"standard": standard, "scores": scores}), encoding="utf-8")
    return path


def test_every_command_has_help() -> None:
    for args in (["--help"], ["standards", "--help"], ["standards", "list", "--help"],
                 ["standards", "show", "--help"], ["standards", "export", "--help"],
                 ["score", "--help"], ["score", "compute", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, args
        assert "Usage" in result.output


def test_standards_list_shows_the_six_classes() -> None:
    result = runner.invoke(app, ["standards", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for class_id in ("economic", "cultural", "social", "ecological", "management", "service"):
        assert class_id in result.output
    assert "经济类" in result.output


def test_standards_show_prints_the_tree_with_points() -> None:
    result = runner.invoke(app, ["standards", "show", "economic"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "1 领导" in result.output
    assert "1.1 文化引领 20分" in result.output
    assert "6.3 高质量运营的结果 40分" in result.output


def test_standards_export_json_makes_every_category_and_item_an_object() -> None:
    result = runner.invoke(app, ["standards", "export", "cultural", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["class_id"] == "cultural"
    nodes = [
        node
        for category in data["categories"]
        for node in [category, *category["sub_categories"],
                     *(i for s in category["sub_categories"] for i in s["items"])]
    ]
    assert len(nodes) == 3 + 8 + 16
    for node in nodes:
        assert {"code", "name", "points"} <= set(node)


def test_standards_show_of_an_unknown_class_fails_with_the_list() -> None:
    result = runner.invoke(app, ["standards", "show", "sports"])
    assert result.exit_code == 2
    assert "unknown award class 'sports'" in result.output


def test_score_compute_prints_the_json_breakdown(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path, "economic", ECONOMIC_SHEET)
    result = runner.invoke(app, ["score", "compute", str(sheet), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["standard"] == "economic"
    assert data["total"] == 273
    assert data["categories"] == {"1": 41, "2": 46.75, "3": 46.75, "4": 11.75, "5": 83.75,
                                  "6": 43}
    assert data["items"]["2.1"] == 13.75


def test_score_compute_prints_a_readable_table(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path, "cultural", CULTURAL_SHEET)
    result = runner.invoke(app, ["score", "compute", str(sheet)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "295.2 / 500" in result.output
    assert "80–100%" in result.output


def test_score_compute_refuses_a_bad_sheet_listing_every_problem(tmp_path: Path) -> None:
    scores = {**ECONOMIC_SHEET, "1.1": 52, "4.2": "x", "8.1": 10}
    sheet = write_sheet(tmp_path, "economic", scores)
    result = runner.invoke(app, ["score", "compute", str(sheet), "--format", "json"])
    assert result.exit_code == 1
    assert "item 1.1 文化引领: 52 is not an allowed value" in result.output
    assert "item 4.2 人力资源开发: 'x' is not a number" in result.output
    assert "8.1: unknown item code" in result.output


def test_score_compute_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", "compute", str(tmp_path / "nope.json")])
    assert result.exit_code == 2  # an input file that cannot be read, as for every command
    assert "cannot read" in result.output
