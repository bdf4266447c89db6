"""How a score is written for people: points with two decimals, on every page and report.

Stored totals are exact decimals (85 points × 55 % is 46.75; a weighted consolidation may
carry more places); shown, they are rounded half up to two places so that one application
reads the same on the case page, the committee's list, the rankings and its feedback.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def points(value: Decimal | float | int | str | None) -> str:
    """``Decimal("380.000")`` → ``"380.00"``; nothing yet → ``"—"``."""
    if value is None or value == "":
        return "—"
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
