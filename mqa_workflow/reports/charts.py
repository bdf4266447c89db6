"""Small charts drawn on the server as SVG (no JavaScript, no CDN), so a page prints and a
PDF carries them as they are: the radar of the categories and the bars of the items.

Text in the SVG names its font family itself: WeasyPrint draws inline SVG with its own
renderer, which does not take the page's stylesheet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONTS = "WenQuanYi Zen Hei, Noto Sans CJK SC, Source Han Sans SC, PingFang SC, sans-serif"
# One colour per band, low to high (economic has six bands, the others five); the
# series of the radar: the basis stage solid, earlier stages lighter.
BAND_COLOURS = ("#c0392b", "#e67e22", "#d4ac0d", "#7cb342", "#2e8b57", "#1f6f8b")
SERIES_COLOURS = ("#1f5fa8", "#9a9a9a", "#c27c0e")


@dataclass(frozen=True)
class RadarAxis:
    label: str
    x: float  # end of the axis
    y: float
    value_x: float  # the value's point on the axis
    value_y: float
    share: float  # value / maximum
    # where the axis's name is written: past its end, anchored away from the centre so a
    # long category name (高质量的运营) never runs across the chart
    label_x: float = 0
    label_y: float = 0
    anchor: str = "middle"


def radar(values: Sequence[tuple[str, float, float]], radius: float = 90,
          centre: float = 120) -> list[RadarAxis]:
    """One axis per (label, value, maximum), clockwise from the top."""
    axes = []
    for n, (label, value, maximum) in enumerate(values):
        angle = -math.pi / 2 + 2 * math.pi * n / max(len(values), 1)
        share = max(0.0, min(1.0, value / maximum)) if maximum else 0.0
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        axes.append(RadarAxis(
            label, round(centre + radius * cos, 1), round(centre + radius * sin, 1),
            round(centre + radius * share * cos, 1), round(centre + radius * share * sin, 1),
            round(share, 3), round(centre + (radius + 8) * cos, 1),
            # below the axis's end when it points down, above when up; 4 centres the text
            round(centre + (radius + 8) * sin + (12 if sin > 0.3 else 4 if sin > -0.3 else -2),
                  1), anchor))
    return axes


def polygon(axes: Sequence[RadarAxis]) -> str:
    return " ".join(f"{a.value_x},{a.value_y}" for a in axes)


@dataclass(frozen=True)
class Series:
    """One polygon of the radar: a stage's (label, points, maximum) per axis."""

    name: str
    values: Sequence[tuple[str, float, float]]


def radar_svg(series: Sequence[Series], *, title: str, radius: float = 110,
              centre: float = 150, margin: float = 80) -> Markup:
    """The radar of ``series`` (the first drawn strongest), rings at every 20 %, each axis
    labelled with its name and the first series' share."""
    if not series or not series[0].values:
        return Markup("")
    first = radar(series[0].values, radius, centre)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" role="img" '
             f'viewBox="{-margin} 0 {2 * centre + 2 * margin} '
             f'{2 * centre + 30 + 24 * len(series)}" '
             f'font-family="{FONTS}" font-size="15" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for ring in (0.2, 0.4, 0.6, 0.8, 1.0):
        points = radar([(a.label, ring, 1) for a in first], radius, centre)
        parts.append(f'<polygon points="{polygon(points)}" fill="none" stroke="#d0d0d0" '
                     f'stroke-width="{1.2 if ring == 1.0 else 0.7}"/>')
        parts.append(f'<text x="{centre + 3}" y="{round(centre - radius * ring + 11, 1)}" '
                     f'font-size="9" fill="#999">{round(ring * 100)}%</text>')
    for axis in first:
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{axis.x}" y2="{axis.y}" '
                     'stroke="#d0d0d0" stroke-width="0.7"/>')
    for n in reversed(range(len(series))):  # the first series on top
        axes = radar(series[n].values, radius, centre)
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        dashed = "" if n == 0 else ' stroke-dasharray="4 3"'
        parts.append(f'<polygon points="{polygon(axes)}" fill="{colour}" '
                     f'fill-opacity="{0.22 if n == 0 else 0.06}" stroke="{colour}" '
                     f'stroke-width="{2 if n == 0 else 1.2}"{dashed}/>')
        if n == 0:
            parts += [f'<circle cx="{a.value_x}" cy="{a.value_y}" r="3" fill="{colour}"/>'
                      for a in axes]
    for axis in first:
        parts.append(_axis_label(axis, centre, radius))
    for n, one in enumerate(series):
        y = 2 * centre + 40 + 24 * n  # below the bottom axis' label
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{centre - 80}" y="{y - 10}" width="14" height="10" '
                     f'fill="{colour}" fill-opacity="{0.5 if n == 0 else 0.2}" '
                     f'stroke="{colour}"/><text x="{centre - 60}" y="{y}">'
                     f"{escape(one.name)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _axis_label(axis: RadarAxis, centre: float, radius: float) -> str:
    # Beyond the axis' end, anchored away from the centre so a name never crosses it.
    dx, dy = (axis.x - centre) / radius, (axis.y - centre) / radius
    x, y = round(axis.x + 12 * dx, 1), round(axis.y + 12 * dy + 4, 1)
    anchor = "middle" if abs(dx) < 0.3 else ("start" if dx > 0 else "end")
    y += -8 if dy < -0.9 else (10 if dy > 0.9 else 0)
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" fill="#222">'
            f'{escape(axis.label)}<tspan x="{x}" dy="16" font-size="13" fill="#1f5fa8">'
            f"{axis.share * 100:.0f}%</tspan></text>")


@dataclass(frozen=True)
class ItemBar:
    """One item's row: its label, the percentage given, the band's place among the
    guide's bands (for the colour) and what the row says at its end."""

    label: str
    percentage: float
    band_index: int
    note: str


def bars_svg(rows: Sequence[ItemBar], *, title: str, boundaries: Sequence[int],
             label_width: float = 130, bar_width: float = 300, row: float = 22) -> Markup:
    """Horizontal bars of the items' percentages (0–100 %), the guide's band boundaries
    drawn as dashed lines so each bar shows which band it reached."""
    if not rows:
        return Markup("")
    left, top = label_width, 22
    height = top + row * len(rows) + 8
    width = label_width + bar_width + 120
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" '
             f'viewBox="0 0 {width} {height}" font-family="{FONTS}" font-size="12" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for mark in sorted({0, *boundaries, 100}):
        x = round(left + bar_width * mark / 100, 1)
        dashed = "" if mark in (0, 100) else ' stroke-dasharray="3 3"'
        parts.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{height - 6}" '
                     f'stroke="#c8c8c8" stroke-width="0.8"{dashed}/>'
                     f'<text x="{x}" y="{top - 8}" text-anchor="middle" font-size="9" '
                     f'fill="#888">{mark}%</text>')
    for n, bar in enumerate(rows):
        y = top + row * n
        colour = BAND_COLOURS[min(bar.band_index, len(BAND_COLOURS) - 1)]
        length = round(bar_width * max(0.0, min(bar.percentage, 100.0)) / 100, 1)
        parts.append(f'<text x="{left - 8}" y="{y + row * 0.65}" text-anchor="end">'
                     f'{escape(bar.label)}</text>'
                     f'<rect x="{left}" y="{y + 4}" width="{length}" height="{row - 8}" '
                     f'fill="{colour}" rx="2"/>'
                     f'<text x="{left + bar_width + 8}" y="{y + row * 0.65}" fill="#333">'
                     f"{escape(bar.note)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
