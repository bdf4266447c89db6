"""Working days of the award office: weekends, public holidays and 调休 make-up days.

Mainland China moves working days around its public holidays (调休): a holiday
block may include a weekend, and a Saturday or Sunday next to it becomes a
working day. Neither can be computed, so both are data: ``holidays`` (days off
that would otherwise be working days, weekends inside a block may be listed
too) and ``extra_working_days`` (weekend days that are working days).

Counting rule (used everywhere, including the 公示 period): a period of *n*
working days **starts the day after** its start date, which is never counted —
the rule of the Civil Code (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算).
So a 5-working-day notice published on a Friday counts Monday … Friday of the
next week and closes at the end of that Friday (if no holiday intervenes);
published on a Monday it closes on the following Monday.

A calendar may state which ``years`` its holiday data covers; asking about a
day outside them is refused, so a notice running into a year whose holidays
were never loaded fails loudly instead of counting 国庆 as working days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class CalendarError(ValueError):
    """Calendar data that cannot be used, with every problem found in it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("calendar refused:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days; see the module docstring for the counting rule."""

    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    years: frozenset[int] | None = None  # years the holiday data covers; None: no check
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        problems = [
            f"{day.isoformat()} is listed both as a holiday and as a working day"
            for day in sorted(self.holidays & self.extra_working_days)
        ]
        problems += [
            f"{day.isoformat()} ({day:%A}) is a make-up working day but not a weekend day; "
            "only a Saturday or Sunday can be made a working day"
            for day in sorted(self.extra_working_days)
            if day.weekday() < _SATURDAY
        ]
        if self.years is not None:
            problems += [
                f"{day.isoformat()} lies outside the years the calendar covers "
                f"({_years_text(self.years)})"
                for day in sorted(self.holidays | self.extra_working_days)
                if day.year not in self.years
            ]
        if problems:
            raise CalendarError(problems)

    def is_working_day(self, day: date) -> bool:
        self._check_covered(day)
        if day in self.extra_working_days:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The *n*-th working day after ``start`` (``start`` itself is never counted).

        ``n == 0`` returns ``start`` unchanged.
        """
        if n < 0:
            raise ValueError(f"cannot add {n} working days; give a count of 0 or more")
        day = start
        for _ in range(n):
            day = self.next_working_day(day + _ONE_DAY)
        return day

    def next_working_day(self, day: date) -> date:
        """``day`` if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: ``start`` excluded, ``end`` included.

        The inverse of ``add_working_days``: ``working_days_between(s,
        add_working_days(s, n)) == n``. Negative when ``end`` is before ``start``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def merged(self, other: WorkingCalendar) -> WorkingCalendar:
        """One calendar holding both calendars' data (e.g. 2026 and 2027)."""
        years = None if self.years is None or other.years is None else self.years | other.years
        return WorkingCalendar(
            holidays=self.holidays | other.holidays,
            extra_working_days=self.extra_working_days | other.extra_working_days,
            years=years,
            name=" + ".join(n for n in (self.name, other.name) if n),
        )

    def _check_covered(self, day: date) -> None:
        if self.years is not None and day.year not in self.years:
            raise CalendarError([
                f"{day.isoformat()} is in {day.year}, but the calendar {self.name!r} only "
                f"holds the holidays of {_years_text(self.years)}; load that year's "
                "holiday schedule first"
            ])


def _years_text(years: frozenset[int]) -> str:
    return ", ".join(str(y) for y in sorted(years)) or "no year"


# --- loading from plain data (YAML / JSON) --------------------------------------------

_KEYS = ("name", "years", "holidays", "working_weekends")


def calendar_from_mapping(data: Mapping[str, Any]) -> WorkingCalendar:
    """Build a calendar from plain data, refusing it with every problem at once.

    Shape: ``{"name": "...", "years": [2026], "holidays": [...],
    "working_weekends": [...]}``; every key is optional. A date entry is
    ``"YYYY-MM-DD"`` or an inclusive range ``"YYYY-MM-DD..YYYY-MM-DD"`` (a
    holiday block as the State Council announces it).
    """
    if not isinstance(data, Mapping):
        raise CalendarError([f"expected a mapping with keys {', '.join(_KEYS)}; got {data!r}"])
    problems = [
        f"unknown key {key!r}; the keys are {', '.join(_KEYS)}" for key in data if key not in _KEYS
    ]
    holidays = _dates(data.get("holidays", []), "holidays", problems)
    working = _dates(data.get("working_weekends", []), "working_weekends", problems)
    years = _years(data.get("years"), problems)
    name = data.get("name", "")
    if not isinstance(name, str):
        problems.append(f"name: {name!r} is not text")
        name = ""
    if problems:
        raise CalendarError(problems)
    return WorkingCalendar(frozenset(holidays), frozenset(working), years, name)


def _dates(entries: object, key: str, problems: list[str]) -> set[date]:
    if not isinstance(entries, list | tuple):
        problems.append(f"{key}: expected a list of dates, got {entries!r}")
        return set()
    found: set[date] = set()
    for index, entry in enumerate(entries):
        where = f"{key}[{index}]"
        if isinstance(entry, date):  # YAML parses bare 2026-10-01 into a date already
            found.add(entry)
        elif isinstance(entry, str) and ".." in entry:
            found |= _date_range(entry, where, problems)
        elif isinstance(entry, str):
            day = _parse_day(entry, where, problems)
            if day is not None:
                found.add(day)
        else:
            problems.append(f"{where}: {entry!r} is not a date; write YYYY-MM-DD")
    return found


def _date_range(entry: str, where: str, problems: list[str]) -> set[date]:
    first_text, _, last_text = entry.partition("..")
    first = _parse_day(first_text.strip(), where, problems)
    last = _parse_day(last_text.strip(), where, problems)
    if first is None or last is None:
        return set()
    if last < first:
        problems.append(f"{where}: the range {entry!r} ends before it starts")
        return set()
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


def _parse_day(text: str, where: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        problems.append(f"{where}: {text!r} is not a date (YYYY-MM-DD): {error}")
        return None


def _years(entries: object, problems: list[str]) -> frozenset[int] | None:
    if entries is None:
        return None
    if not isinstance(entries, list | tuple) or not all(
        isinstance(y, int) and not isinstance(y, bool) for y in entries
    ):
        problems.append(f"years: expected a list of years such as [2026], got {entries!r}")
        return None
    return frozenset(entries)


def calendar_from_many(mappings: Iterable[Mapping[str, Any]]) -> WorkingCalendar:
    """One calendar from several years' data (each as ``calendar_from_mapping`` takes)."""
    calendars = [calendar_from_mapping(m) for m in mappings]
    if not calendars:
        raise CalendarError(["no calendar data given"])
    merged = calendars[0]
    for calendar in calendars[1:]:
        merged = merged.merged(calendar)
    return merged


# --- the 2026 mainland China schedule --------------------------------------------------

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, published by Xinhua).
# Each block is listed whole, weekends inside it included, as the notice states it.
CHINA_2026: Mapping[str, Any] = {
    "name": "mainland China 2026",
    "years": [2026],
    "holidays": [
        "2026-01-01..2026-01-03",  # 元旦
        "2026-02-15..2026-02-23",  # 春节
        "2026-04-04..2026-04-06",  # 清明节
        "2026-05-01..2026-05-05",  # 劳动节
        "2026-06-19..2026-06-21",  # 端午节
        "2026-09-25..2026-09-27",  # 中秋节
        "2026-10-01..2026-10-07",  # 国庆节
    ],
    "working_weekends": [
        "2026-01-04",  # Sunday, after 元旦
        "2026-02-14",  # Saturday, before 春节
        "2026-02-28",  # Saturday, after 春节
        "2026-05-09",  # Saturday, after 劳动节
        "2026-09-20",  # Sunday, before 国庆节
        "2026-10-10",  # Saturday, after 国庆节
    ],
}


def china_2026() -> WorkingCalendar:
    """The 2026 mainland China working calendar (see ``CHINA_2026`` for the source)."""
    return calendar_from_mapping(CHINA_2026)
