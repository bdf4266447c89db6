"""Geometry for the small server-side SVG charts (no JavaScript library, no CDN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# The radar's geometry is the feedback report's (reports/charts.py); the case board
# draws the same radar.
from mqa_workflow.reports.charts import RadarAxis, polygon, radar

__all__ = ["Bar", "RadarAxis", "distribution", "polygon", "radar"]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    height: float


def distribution(totals: Sequence[float], width: int = 50, top: int = 500,
                 max_height: float = 120) -> list[Bar]:
    """How many totals fall in each ``width``-point bin from 0 to ``top``."""
    bins = [0] * math.ceil(top / width)
    for total in totals:
        bins[min(int(total // width), len(bins) - 1)] += 1
    peak = max(bins) or 1
    return [Bar(f"{n * width}–{(n + 1) * width}", count, round(max_height * count / peak, 1))
            for n, count in enumerate(bins)]
