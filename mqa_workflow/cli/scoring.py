"""``mqa score``: score arithmetic against a standard."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import read_text_file
from mqa_workflow.scoring.input import parse_sheet
from mqa_workflow.standards.loader import StandardFileError, load_standard
from mqa_workflow.standards.sheet import ScoreBreakdown, ScoreSheetError, json_number, score_sheet

app = typer.Typer(
    help="Score sheets: compute item, category and total scores.", no_args_is_help=True
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def _points(value: object) -> str:
    """Exact points without float noise or trailing zeros: 46.75, 295.2, 500."""
    return str(json_number(value)) if isinstance(value, Decimal) else str(value)


def _render(breakdown: ScoreBreakdown) -> None:
    standard = breakdown.standard
    table = Table(title=f"{standard.title}（{standard.award_class}）score sheet")
    for column in ("code", "item", "kind", "points", "%", "band", "score"):
        table.add_column(column, justify="right" if column in {"points", "%", "score"} else "left")
    for category in standard.categories:
        for item in category.scored_items():
            score = breakdown.items[item.code]
            table.add_row(
                item.code,
                item.name,
                item.kind,
                str(item.points),
                str(score.percentage),
                score.band.label,
                _points(score.points),
            )
        table.add_row(
            category.code,
            f"[bold]{category.name}[/]",
            "",
            str(category.points),
            "",
            "",
            f"[bold]{_points(breakdown.categories[category.code])}[/]",
            end_section=True,
        )
    console.print(table)
    for sub in (s for c in standard.categories for s in c.sub_categories):
        console.print(
            f"  {sub.code} {sub.name}: {_points(breakdown.sub_categories[sub.code])} / {sub.points}"
        )
    console.print(
        f"过程 process: {_points(breakdown.kinds['process'])}   "
        f"结果 results: {_points(breakdown.kinds['results'])}"
    )
    console.print(f"[bold]总分 total: {_points(breakdown.total)} / {standard.total_points}[/]")


@app.command("compute")
def compute(
    file: Path = typer.Argument(..., help='JSON: {"standard": CLASS, "scores": {CODE: PCT}}'),
    format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
) -> None:
    """Compute a score sheet's item, category, process/results and total scores."""
    try:
        # UTF-8 (a BOM is fine) or refused with how to save it, as every input file
        sheet = parse_sheet(read_text_file(file, "score sheet"))
        breakdown = score_sheet(load_standard(sheet.standard), sheet.scores)
    except ScoreSheetError as exc:
        fail(f"{file}: {exc}")
    except StandardFileError as exc:
        fail(str(exc))
    if format is OutputFormat.json:
        typer.echo(json.dumps(breakdown.to_json(), ensure_ascii=False, indent=2))
    else:
        _render(breakdown)
