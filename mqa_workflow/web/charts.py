"""Geometry for the small server-side SVG charts (no JavaScript library, no CDN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RadarAxis:
    label: str
    x: float  # end of the axis
    y: float
    value_x: float  # the value's point on the axis
    value_y: float
    share: float  # value / maximum


def radar(values: Sequence[tuple[str, float, float]], radius: float = 90,
          centre: float = 120) -> list[RadarAxis]:
    """One axis per (label, value, maximum), clockwise from the top."""
    axes = []
    for n, (label, value, maximum) in enumerate(values):
        angle = -math.pi / 2 + 2 * math.pi * n / max(len(values), 1)
        share = max(0.0, min(1.0, value / maximum)) if maximum else 0.0
        axes.append(RadarAxis(
            label, round(centre + radius * math.cos(angle), 1),
            round(centre + radius * math.sin(angle), 1),
            round(centre + radius * share * math.cos(angle), 1),
            round(centre + radius * share * math.sin(angle), 1), round(share, 3)))
    return axes


def polygon(axes: Sequence[RadarAxis]) -> str:
    return " ".join(f"{a.value_x},{a.value_y}" for a in axes)


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
