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
from functools import lru_cache
from typing import Any

from chinese_calendar import constants as published

from mqa_workflow.errors import RefusedInputError

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class CalendarError(RefusedInputError):
    """Calendar data that cannot be used, with every problem found in it."""

    what = "calendar"


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

    def overridden_by(self, own: WorkingCalendar) -> WorkingCalendar:
        """This calendar with ``own`` days taking precedence: a cycle's own closures and
        make-up days win over the published schedule. The years covered are this
        calendar's and those ``own`` states (a cycle that lists only one closure does
        not make the years it says nothing of count as known)."""
        own_years = own.years if own.years is not None else frozenset()
        years = None if self.years is None else self.years | own_years
        return WorkingCalendar(
            holidays=(self.holidays - own.extra_working_days) | own.holidays,
            extra_working_days=(self.extra_working_days - own.holidays)
            | own.extra_working_days,
            years=years,
            name=" + ".join(n for n in (self.name, own.name) if n),
        )

    def _check_covered(self, day: date) -> None:
        if self.years is not None and day.year not in self.years:
            raise CalendarError([
                f"{day.isoformat()} is in {day.year}, but the calendar {self.name!r} only "
                f"holds the holidays of {_years_text(self.years)}; give that year's "
                "holidays and make-up working days in the cycle's calendar rules"
            ])


def _years_text(years: frozenset[int]) -> str:
    """``2004–2026`` for a run of years, ``2026, 2028`` for separate ones."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) or "no year"


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
    """Years as numbers, or as text of four digits (a rules file may quote them)."""
    if entries is None:
        return None
    if not isinstance(entries, list | tuple) or not all(
        (isinstance(y, int) and not isinstance(y, bool))
        or (isinstance(y, str) and y.isdigit() and len(y) == 4) for y in entries
    ):
        problems.append(f"years: expected a list of years such as [2026], got {entries!r}")
        return None
    return frozenset(int(y) for y in entries)


def calendar_from_many(mappings: Iterable[Mapping[str, Any]]) -> WorkingCalendar:
    """One calendar from several years' data (each as ``calendar_from_mapping`` takes)."""
    calendars = [calendar_from_mapping(m) for m in mappings]
    if not calendars:
        raise CalendarError(["no calendar data given"])
    merged = calendars[0]
    for calendar in calendars[1:]:
        merged = merged.merged(calendar)
    return merged


# --- mainland China's published schedule ---------------------------------------------


@lru_cache(maxsize=1)
def official_calendar() -> WorkingCalendar:
    """Mainland China's working calendar as the State Council's yearly notice
    (国务院办公厅关于部分节假日安排的通知) sets it, for every year the installed
    ``chinesecalendar`` package holds: each holiday block whole (weekends inside it
    included) and each 调休 make-up working weekend. A day of a later year is refused
    until the package is updated or the cycle gives that year's schedule itself."""
    holidays = frozenset(published.holidays)
    working = frozenset(day for day in published.workdays if day.weekday() >= _SATURDAY)
    years = frozenset(day.year for day in holidays)
    return WorkingCalendar(holidays, working, years, "mainland China (State Council)")
