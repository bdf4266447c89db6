"""Shared terminal plumbing for the command line: one console each for output and errors."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

# Piped into a file or another program, a table keeps its full width: a Chinese name is
# never cut at 80 columns (on a terminal, the terminal's width applies).
console = Console(width=None if sys.stdout.isatty() else 240)
err_console = Console(stderr=True)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print a clear error on stderr and leave with a non-zero exit code."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str],
               output: OutputFormat, title: str = "") -> None:
    """A listing as a table for people, or JSON / CSV (UTF-8, a header row) for programs;
    the same keys in all three."""
    if output is OutputFormat.JSON:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
    elif output is OutputFormat.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: row.get(key, "") for key in columns} for row in rows)
    else:
        from rich.table import Table

        table = Table(*columns, title=title or None)
        for row in rows:
            table.add_row(*(escape(str(row.get(key, ""))) for key in columns))
        console.print(table)
