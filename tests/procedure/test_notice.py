"""公示: the notice period on a working-day calendar, objections, and the outcome."""

from __future__ import annotations

from datetime import date

import pytest

from mqa_workflow.procedure.calendar import WorkingCalendar, official_calendar
from mqa_workflow.procedure.notice import (
    Notice,
    Objection,
    ObjectionRefused,
    Resolution,
    Status,
    dismiss,
    file_objection,
    final_outcome,
    uphold,
)

PLAIN = WorkingCalendar()
FRIDAY = date(2025, 3, 7)
NOTICE = Notice(published_on=FRIDAY, calendar=PLAIN)  # closes Friday 14 March
EVIDENCE = ["2025-03-01 深圳市市场监督管理局行政处罚决定书 深市监罚〔2025〕12号"]


def _objection(filed_on: date = date(2025, 3, 10)) -> Objection:
    return file_objection(
        NOTICE, filed_on=filed_on, by="张三", grounds="申报材料隐瞒行政处罚", evidence=EVIDENCE
    )


def test_a_notice_published_on_friday_closes_the_next_friday() -> None:
    assert NOTICE.closes_on == date(2025, 3, 14)
    assert NOTICE.is_open(FRIDAY)
    assert NOTICE.is_open(date(2025, 3, 14))
    assert NOTICE.has_closed(date(2025, 3, 15))


def test_the_notice_length_follows_the_holiday_calendar() -> None:
    notice = Notice(published_on=date(2026, 9, 29), calendar=official_calendar())
    assert notice.closes_on == date(2026, 10, 12)  # 国庆 skipped, make-up Saturday counted
    assert Notice(published_on=FRIDAY, working_days=7, calendar=PLAIN).closes_on == date(
        2025, 3, 18
    )


def test_a_notice_needs_at_least_one_working_day() -> None:
    with pytest.raises(ValueError, match="at least 1 working day"):
        Notice(published_on=FRIDAY, working_days=0, calendar=PLAIN)


def test_an_objection_is_accepted_from_publication_day_to_closing_day() -> None:
    for day in (FRIDAY, date(2025, 3, 9), date(2025, 3, 14)):
        assert _objection(day).filed_on == day


def test_an_objection_outside_the_notice_is_refused_with_the_dates() -> None:
    with pytest.raises(ObjectionRefused, match="from 2025-03-07 through 2025-03-14"):
        _objection(date(2025, 3, 15))
    with pytest.raises(ObjectionRefused, match="filed on 2025-03-06 is refused"):
        _objection(date(2025, 3, 6))


def test_an_objection_without_evidence_or_grounds_is_refused() -> None:
    with pytest.raises(ObjectionRefused, match="needs evidence"):
        file_objection(NOTICE, filed_on=FRIDAY, by="张三", grounds="隐瞒处罚", evidence=[])
    with pytest.raises(ObjectionRefused, match="needs evidence"):
        file_objection(NOTICE, filed_on=FRIDAY, by="张三", grounds="隐瞒处罚", evidence=["  "])
    with pytest.raises(ObjectionRefused, match="needs its grounds"):
        file_objection(NOTICE, filed_on=FRIDAY, by="张三", grounds=" ", evidence=EVIDENCE)


def test_an_upheld_objection_removes_the_candidate_and_records_why() -> None:
    upheld = uphold(
        _objection(), reason="经核查，申报单位2025年3月受到行政处罚，未如实申报",
        by="admin@award.sz.gov.cn", on=date(2025, 3, 12),
    )
    assert upheld.resolution is Resolution.UPHELD
    outcome = final_outcome(NOTICE, [upheld], today=date(2025, 3, 12))
    assert outcome.status is Status.REMOVED
    assert outcome.reason == (
        "removed: the objection filed on 2025-03-10 by 张三 (申报材料隐瞒行政处罚) was upheld "
        "on 2025-03-12 by admin@award.sz.gov.cn: 经核查，申报单位2025年3月受到行政处罚，未如实申报"
    )
    # Removal stands after the period closes too.
    assert final_outcome(NOTICE, [upheld], today=date(2025, 4, 1)).status is Status.REMOVED


def test_the_award_becomes_final_only_after_the_period_closes() -> None:
    assert final_outcome(NOTICE, [], today=date(2025, 3, 14)).status is Status.PENDING
    outcome = final_outcome(NOTICE, [], today=date(2025, 3, 15))
    assert outcome.status is Status.FINAL
    assert outcome.reason == "the notice closed on 2025-03-14; no objection was filed"


def test_an_open_notice_says_how_long_it_still_runs() -> None:
    outcome = final_outcome(NOTICE, [], today=date(2025, 3, 12))
    assert outcome.reason == (
        "the notice is open until the end of 2025-03-14 (2 working day(s) after today)"
    )
    before = final_outcome(NOTICE, [], today=date(2025, 3, 1))
    assert before == final_outcome(NOTICE, [], today=date(2025, 3, 6))
    assert before.reason == "the notice is published on 2025-03-07"


def test_an_unresolved_objection_keeps_the_candidate_pending_after_closing() -> None:
    outcome = final_outcome(NOTICE, [_objection()], today=date(2025, 3, 20))
    assert outcome.status is Status.PENDING
    assert "awaiting resolution: filed on 2025-03-10 by 张三" in outcome.reason


def test_dismissed_objections_let_the_award_become_final() -> None:
    dismissed = dismiss(_objection(), reason="处罚发生于申报截止后，已如实补报", by="admin",
                        on=date(2025, 3, 18))
    assert final_outcome(NOTICE, [dismissed], today=date(2025, 3, 17)).status is Status.PENDING
    outcome = final_outcome(NOTICE, [dismissed], today=date(2025, 3, 18))
    assert outcome.status is Status.FINAL
    assert outcome.reason.endswith("1 objection(s) dismissed")


def test_a_resolution_needs_a_reason_happens_once_and_not_before_filing() -> None:
    objection = _objection()
    with pytest.raises(ObjectionRefused, match="upheld only with a written reason"):
        uphold(objection, reason="  ", by="admin", on=date(2025, 3, 12))
    with pytest.raises(ObjectionRefused, match="dismissed only with a written reason"):
        dismiss(objection, reason="", by="admin", on=date(2025, 3, 12))
    with pytest.raises(ObjectionRefused, match="cannot be resolved on 2025-03-09"):
        dismiss(objection, reason="无据", by="admin", on=date(2025, 3, 9))
    done = dismiss(objection, reason="无据", by="admin", on=date(2025, 3, 12))
    with pytest.raises(ObjectionRefused, match="already dismissed on 2025-03-12"):
        uphold(done, reason="复查", by="admin", on=date(2025, 3, 13))


def test_an_objection_dated_outside_the_notice_is_refused_in_the_outcome() -> None:
    other = Notice(published_on=date(2025, 4, 7), calendar=PLAIN)
    with pytest.raises(ObjectionRefused, match="falls outside the notice"):
        final_outcome(other, [_objection()], today=date(2025, 4, 30))
