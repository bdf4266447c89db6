"""The engine's one source of "now", so tests can move time without sleeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Deadlines are calendar days of the award office in Shenzhen.
OFFICE_TZ = ZoneInfo("Asia/Shanghai")

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def office_today() -> date:
    """Today's date in the award office (deadlines are its calendar days)."""
    return now().astimezone(OFFICE_TZ).date()


def office_time(moment: datetime | None, *, seconds: bool = False) -> str:
    """A stored moment as the office reads it, Beijing time (北京时间) to the minute (or the
    second); a naive moment is UTC (SQLite drops the zone); nothing yet is ""."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds
                                                else "%Y-%m-%d %H:%M")


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the wall clock."""
    global _now
    _now = source or (lambda: datetime.now(UTC))


@contextmanager
def wall_time() -> Iterator[None]:
    """Run a block on the wall clock, whatever clock is set (a simulation handing work to
    processes that live in real time, such as Celery workers)."""
    saved = _now
    set_clock(None)
    try:
        yield
    finally:
        set_clock(saved)
