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


@dataclass(frozen=True)
class Tick:
    at: float  # position along its axis, in the chart's coordinates
    label: str


@dataclass(frozen=True)
class PlacedBar:
    label: str  # the bin, e.g. 350–400
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class DistributionChart:
    """A histogram of totals with both axes drawn and labelled: 0 to ``top`` points
    along the bottom, the number of applications up the side."""

    width: float
    height: float
    left: float  # the plot area
    top: float
    right: float
    bottom: float
    bars: list[PlacedBar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def distribution_chart(totals: Sequence[float], bin_width: int = 50, top: int = 500,
                       width: float = 480, height: float = 220) -> DistributionChart:
    left, right, top_edge, bottom = 48.0, width - 16, 16.0, height - 48
    bins = distribution(totals, bin_width, top)
    peak = max((b.count for b in bins), default=0) or 1
    step = (right - left) / len(bins)
    plot = bottom - top_edge
    bars = [PlacedBar(b.label, b.count, round(left + n * step + 2, 1),
                      round(bottom - plot * b.count / peak, 1), round(step - 4, 1),
                      round(plot * b.count / peak, 1)) for n, b in enumerate(bins)]
    x_ticks = [Tick(round(left + n * step, 1), str(n * bin_width))
               for n in range(len(bins) + 1)]
    # whole numbers of applications only: at most five ticks from 0 to the peak
    every = max(1, math.ceil(peak / 4))
    y_ticks = [Tick(round(bottom - plot * c / peak, 1), str(c))
               for c in range(0, peak + 1, every)]
    return DistributionChart(width, height, left, top_edge, right, bottom, bars, x_ticks,
                             y_ticks)
