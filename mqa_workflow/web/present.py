"""How values are written in JSON answers: moments as ISO 8601 text, decimals as numbers.

The read models (web/api/schemas/) and the operators' view (web/operations.py) share it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal


def when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
