"""Eligibility facts in bulk (the web's import and `mqa eligibility import`, one function):
one row a fact, each application checked with its rows, every bad row by its number and
nothing kept unless all are good."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mqa_workflow.clock import set_clock
from mqa_workflow.db import Database
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.procedure.models import EligibilityReview
from mqa_workflow.procedure.service import import_facts
from tests import factories

COLUMNS = ("application", "kind", "date", "authority", "description", "serious", "year",
           "class")


def rows(*lines: tuple[str, ...]) -> list[dict[str, str]]:
    return [dict(zip(COLUMNS, line, strict=False)) for line in lines]


@pytest.fixture(autouse=True)
def _june_2026() -> None:
    set_clock(lambda: datetime(2026, 6, 1, 2, tzinfo=UTC))


def test_each_application_is_checked_with_its_own_rows(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        a = factories.application(session, state="eligibility_check", award_cycle=cycle)
        b = factories.application(session, state="eligibility_check", award_cycle=cycle)
        reviews = import_facts(session, rows(
            (str(a.id), "registered", "2015-06-01"),
            (str(a.id), "no_penalties"), (str(a.id), "no_accidents"),
            (str(b.id), "registered", "2025-01-01 00:00:00"),
            (str(b.id), "penalty", "2026-02-01", "深圳市市场监督管理局", "标签不规范"),
            (str(b.id), "accident", "2024-03-01", "", "轻微事故", "否"),
        ))
        by_application = {r.application_id: r for r in reviews}
        assert by_application[a.id].passed is True
        assert by_application[b.id].passed is False
        assert by_application[b.id].facts["penalties"][0]["authority"] == "深圳市市场监督管理局"
        assert by_application[b.id].facts["accidents"][0]["serious"] is False


def test_every_bad_row_is_named_and_nothing_is_kept(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        a = factories.application(session, state="eligibility_check", award_cycle=cycle)
        draft = factories.application(session, award_cycle=cycle)
        with pytest.raises(InvalidInputError) as refused:
            import_facts(session, rows(
                (str(a.id), "registered", "2015-06-01"),
                (str(a.id), "penalty", "2026-13-01", ""),
                ("999", "registered", "2015-06-01"),
                (str(a.id), "medal"),
                (str(a.id), "past_award", "", "", "", "", "去年", "economic"),
            ))
        problems = refused.value.problems
        assert [p.split(":")[0] for p in problems] == ["row 3", "row 3", "row 4", "row 5",
                                                       "row 6"]
        assert "date '2026-13-01'" in problems[0] and "authority is missing" in problems[1]
        with pytest.raises(InvalidInputError) as refused:  # a draft is not being checked
            import_facts(session, rows((str(a.id), "registered", "2015-06-01"),
                                       (str(draft.id), "registered", "2015-06-01")))
        assert refused.value.problems[0].startswith("row 3: ")
        assert session.scalar(select(func.count()).select_from(EligibilityReview)) == 0
