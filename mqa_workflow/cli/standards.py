"""``mqa standards``: read the six award standards."""

from __future__ import annotations

import json
from enum import StrEnum

import typer
import yaml
from rich.table import Table
from rich.tree import Tree

from mqa_workflow.cli.console import OutputFormat, console, fail, print_rows
from mqa_workflow.standards.loader import (
    StandardFileError,
    UnknownStandardError,
    load_standard,
    load_standards,
)
from mqa_workflow.standards.models import Item, Standard

app = typer.Typer(
    help="The award standards (评定标准): list, show and export them.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    json = "json"
    yaml = "yaml"


def _standard(class_id: str) -> Standard:
    try:
        return load_standard(class_id)
    except (UnknownStandardError, StandardFileError) as exc:
        fail(str(exc), code=2 if isinstance(exc, UnknownStandardError) else 1)


@app.command("list")
def list_standards(output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", help="table for people; json or csv for programs.")
                   ) -> None:
    """List the six award classes with their points and item counts."""
    try:
        standards = load_standards()
    except StandardFileError as exc:
        fail(str(exc))
    if output is not OutputFormat.TABLE:
        print_rows([{"class": class_id, "award_class": standard.award_class,
                     "categories": len(standard.categories),
                     "scored_items": sum(1 for _ in standard.scored_items()),
                     "points": standard.total_points} for class_id, standard in
                    standards.items()],
                   ("class", "award_class", "categories", "scored_items", "points"), output)
        return
    table = Table(title="深圳市市长质量奖评定标准")
    for column in ("class", "award class", "categories", "scored items", "points"):
        table.add_column(column)
    for class_id, standard in standards.items():
        table.add_row(
            class_id,
            standard.award_class,
            str(len(standard.categories)),
            str(sum(1 for _ in standard.scored_items())),
            str(standard.total_points),
        )
    console.print(table)


def _item_label(item: Item) -> str:
    kind = "过程" if item.kind == "process" else "结果"
    return f"{item.code} {item.name} [bold]{item.points}分[/] [dim]{kind}[/]"


@app.command("show")
def show(
    class_id: str = typer.Argument(..., metavar="CLASS", help="economic, cultural, …"),
    guide_points: bool = typer.Option(False, "--guide-points", help="Also list guide points."),
) -> None:
    """Show a standard as a tree of categories and items with their points."""
    standard = _standard(class_id)
    tree = Tree(f"[bold]{standard.title}（{standard.award_class}）[/] {standard.total_points}分")
    tree.add(f"{standard.profile.code} {standard.profile.name} [dim]（不计分）[/]")
    for category in standard.categories:
        branch = tree.add(f"[bold]{category.code} {category.name}[/] {category.points}分")
        subs = [
            (branch.add(f"{s.code} {s.name} {s.points}分"), s.items)
            for s in category.sub_categories
        ] or [(branch, category.items)]
        for parent, items in subs:
            for item in items:
                leaf = parent.add(_item_label(item))
                if guide_points:
                    for point in item.guide_points:
                        label = point.code or point.name or "·"
                        leaf.add(f"[dim]{label}[/] {point.text}")
    console.print(tree)


@app.command("export")
def export(
    class_id: str = typer.Argument(..., metavar="CLASS"),
    format: ExportFormat = typer.Option(ExportFormat.json, "--format", "-f"),
) -> None:
    """Print the whole standard (JSON or YAML)."""
    data = _standard(class_id).model_dump(mode="json", exclude_none=True)
    if format is ExportFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100000))
