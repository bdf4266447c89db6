"""Reading a score sheet file: ``{"standard": CLASS, "scores": {CODE: PCT, …}}``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.standards.sheet import ScoreSheetError


@dataclass(frozen=True)
class SheetFile:
    standard: str
    scores: dict[str, object]


def parse_sheet(text: str) -> SheetFile:
    """Parse a sheet's JSON text; numbers become exact decimals, never floats."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ScoreSheetError([f"not valid JSON: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ScoreSheetError(['must be a JSON object {"standard": CLASS, "scores": {...}}'])
    problems = []
    standard = data.get("standard")
    if not isinstance(standard, str) or standard not in CLASS_IDS:
        problems.append(
            f"standard: {standard!r} is not an award class; use one of {', '.join(CLASS_IDS)}"
        )
    scores = data.get("scores")
    if not isinstance(scores, dict):
        problems.append("scores: must be an object mapping item codes to percentages")
    extra = sorted(set(data) - {"standard", "scores"})
    if extra:
        problems.append(f"unexpected field(s): {', '.join(extra)}")
    if problems:
        raise ScoreSheetError(problems)
    return SheetFile(standard=standard, scores=scores)


def read_sheet(path: Path) -> SheetFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoreSheetError([f"cannot read {path}: {exc}"]) from exc
    return parse_sheet(text)
