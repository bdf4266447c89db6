"""Working days: weekends, holidays, 调休 make-up days, the start rule and loading data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mqa_workflow.procedure.calendar import (
    CalendarError,
    WorkingCalendar,
    calendar_from_many,
    calendar_from_mapping,
    official_calendar,
)

# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), transcribed by hand: the
# published schedule the package carries must say the same.
CHINA_2026 = {
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
    "working_weekends": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09",
                         "2026-09-20", "2026-10-10"],
}


def china_2026() -> WorkingCalendar:
    return official_calendar()

PLAIN = WorkingCalendar()
# An explicit calendar: a Wednesday holiday and a make-up Saturday.
EXPLICIT = WorkingCalendar(
    holidays=frozenset({date(2025, 3, 12)}),
    extra_working_days=frozenset({date(2025, 3, 15)}),
)


def test_weekdays_are_working_days_and_weekends_are_not() -> None:
    monday = date(2025, 3, 3)
    assert [PLAIN.is_working_day(monday + timedelta(days=i)) for i in range(7)] == [
        True, True, True, True, True, False, False,
    ]  # fmt: skip


def test_a_holiday_is_not_a_working_day_and_a_make_up_weekend_day_is() -> None:
    assert not EXPLICIT.is_working_day(date(2025, 3, 12))
    assert EXPLICIT.is_working_day(date(2025, 3, 15))
    assert not EXPLICIT.is_working_day(date(2025, 3, 16))


def test_a_five_day_period_from_a_friday_ends_on_the_next_friday() -> None:
    # The publication day is not counted: Mon … Fri of the following week.
    assert PLAIN.add_working_days(date(2025, 3, 7), 5) == date(2025, 3, 14)


def test_a_five_day_period_from_a_monday_ends_on_the_next_monday() -> None:
    assert PLAIN.add_working_days(date(2025, 3, 3), 5) == date(2025, 3, 10)


def test_a_period_published_on_a_weekend_starts_counting_on_monday() -> None:
    assert PLAIN.add_working_days(date(2025, 3, 8), 1) == date(2025, 3, 10)
    assert PLAIN.add_working_days(date(2025, 3, 8), 5) == date(2025, 3, 14)


def test_a_holiday_lengthens_and_a_make_up_day_shortens_the_period() -> None:
    # From Monday 10 March: Tue 11, (Wed 12 off), Thu 13, Fri 14, Sat 15 (make-up), Mon 17.
    assert EXPLICIT.add_working_days(date(2025, 3, 10), 5) == date(2025, 3, 17)
    assert PLAIN.add_working_days(date(2025, 3, 10), 5) == date(2025, 3, 17)
    holiday_only = WorkingCalendar(holidays=frozenset({date(2025, 3, 12)}))
    assert holiday_only.add_working_days(date(2025, 3, 10), 5) == date(2025, 3, 18)


def test_adding_zero_working_days_returns_the_start_and_negative_is_refused() -> None:
    assert PLAIN.add_working_days(date(2025, 3, 8), 0) == date(2025, 3, 8)
    with pytest.raises(ValueError, match="cannot add -1 working days"):
        PLAIN.add_working_days(date(2025, 3, 8), -1)


def test_working_days_between_excludes_the_start_and_includes_the_end() -> None:
    assert PLAIN.working_days_between(date(2025, 3, 7), date(2025, 3, 14)) == 5
    assert PLAIN.working_days_between(date(2025, 3, 7), date(2025, 3, 7)) == 0
    assert PLAIN.working_days_between(date(2025, 3, 14), date(2025, 3, 7)) == -5


@pytest.mark.parametrize("n", [0, 1, 3, 5, 10, 20])
@pytest.mark.parametrize("start", [date(2026, 9, 18), date(2026, 9, 30), date(2026, 2, 13)])
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    calendar = china_2026()
    assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


def test_next_working_day_skips_a_holiday_block() -> None:
    assert china_2026().next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert china_2026().next_working_day(date(2026, 10, 8)) == date(2026, 10, 8)


def test_the_published_2026_schedule_matches_the_state_council_notice() -> None:
    notice = calendar_from_mapping(CHINA_2026)
    official = official_calendar()
    assert {d for d in official.holidays if d.year == 2026} == notice.holidays
    assert {d for d in official.extra_working_days if d.year == 2026} == (
        notice.extra_working_days)


def test_a_cycles_own_days_take_precedence_over_the_published_schedule() -> None:
    own = calendar_from_mapping({"holidays": ["2026-11-20"],  # an office closure, a Friday
                                 "working_weekends": ["2026-10-04"]})  # Sunday in 国庆
    calendar = official_calendar().overridden_by(own)
    assert not calendar.is_working_day(date(2026, 11, 20))
    assert calendar.is_working_day(date(2026, 10, 4))
    assert not calendar.is_working_day(date(2026, 10, 5))  # the rest of the block stands


def test_a_cycle_may_give_a_year_not_yet_published() -> None:
    last = max(official_calendar().years or {2026})
    own = calendar_from_mapping({"years": [last + 1], "holidays": [f"{last + 1}-01-01"]})
    calendar = official_calendar().overridden_by(own)
    assert not calendar.is_working_day(date(last + 1, 1, 1))
    assert calendar.add_working_days(date(last, 12, 30), 1) == date(last, 12, 31)


def test_the_2026_schedule_has_the_announced_blocks_and_make_up_days() -> None:
    calendar = china_2026()
    assert len({d for d in calendar.holidays if d.year == 2026}) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert all(day.weekday() >= 5 for day in calendar.extra_working_days)
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday before 国庆
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday after 国庆
    assert not calendar.is_working_day(date(2026, 2, 23))  # Monday, 正月初七


def test_a_notice_across_national_day_2026_counts_the_make_up_saturday() -> None:
    # Published Tue 29 Sep: Wed 30 Sep, (1–7 Oct off), Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
    assert china_2026().add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 12)


def test_a_notice_published_friday_before_spring_festival_skips_the_holiday() -> None:
    # Published Fri 13 Feb: Sat 14 (make-up), (15–23 off), Tue 24, Wed 25, Thu 26, Fri 27.
    assert china_2026().add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_a_date_outside_the_covered_years_is_refused() -> None:
    last = max(official_calendar().years or {2026})
    with pytest.raises(CalendarError, match=f"only holds the holidays of 2004–{last}"):
        china_2026().is_working_day(date(last + 1, 1, 4))


def test_merged_calendars_cover_both_years() -> None:
    next_year = calendar_from_mapping({"years": [2027], "holidays": ["2027-01-01"]})
    merged = china_2026().merged(next_year)
    assert not merged.is_working_day(date(2027, 1, 1))
    assert merged.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert calendar_from_many([CHINA_2026, {"years": [2027]}]).years == frozenset({2026, 2027})


def test_loading_accepts_single_days_ranges_and_yaml_dates() -> None:
    calendar = calendar_from_mapping({
        "holidays": ["2025-10-01..2025-10-03", date(2025, 12, 25)],
        "working_weekends": ["2025-09-28"],
    })
    assert calendar.holidays == {
        date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3), date(2025, 12, 25),
    }  # fmt: skip
    assert calendar.extra_working_days == {date(2025, 9, 28)}
    assert calendar.years is None


def test_loading_reports_every_bad_date_with_its_position() -> None:
    with pytest.raises(CalendarError) as caught:
        calendar_from_mapping({
            "holidays": ["2026-02-30", "2026-10-07..2026-10-01", 20261001],
            "working_weekends": "2026-09-20",
            "year": [2026],
        })
    problems = "\n".join(caught.value.problems)
    assert "holidays[0]: '2026-02-30' is not a date (YYYY-MM-DD)" in problems
    assert "holidays[1]: the range '2026-10-07..2026-10-01' ends before it starts" in problems
    assert "holidays[2]: 20261001 is not a date" in problems
    assert "working_weekends: expected a list of dates" in problems
    assert "unknown key 'year'" in problems


def test_a_weekday_cannot_be_a_make_up_working_day() -> None:
    with pytest.raises(CalendarError, match="not a weekend day"):
        calendar_from_mapping({"working_weekends": ["2026-09-21"]})


def test_a_day_cannot_be_both_holiday_and_working_day() -> None:
    with pytest.raises(CalendarError, match="both as a holiday and as a working day"):
        calendar_from_mapping({"holidays": ["2026-09-20"], "working_weekends": ["2026-09-20"]})


def test_data_outside_the_stated_years_is_refused() -> None:
    with pytest.raises(CalendarError, match="outside the years the calendar covers"):
        calendar_from_mapping({"years": [2026], "holidays": ["2027-01-01"]})


def test_a_cycles_calendar_takes_years_as_numbers_or_quoted() -> None:
    from mqa_workflow.cycles.models import CycleRules

    for years in ([2027], ["2027"]):
        rules = CycleRules.model_validate({"calendar": {"years": years,
                                                        "holidays": ["2027-01-01"]}})
        assert calendar_from_mapping(rules.calendar).years == frozenset({2027})
    with pytest.raises(CalendarError, match="expected a list of years"):
        calendar_from_mapping({"years": ["MMXXVII"]})
