"""A class's ranking: every application that reached scoring once, shortlisted first,
withdrawn and ineligible never (issue 12, point 7)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ConsensusSheet
from mqa_workflow.scoring.consolidation import rank_class
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.scoring.ranking import NEVER_RANKED, NOT_SHORTLISTED, RANKED_STATES, class_ranking
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.engine import advance
from mqa_workflow.web.exports import as_csv
from mqa_workflow.web.listing import results_by_class
from tests import factories

SCORED_ONCE = {"withdrawn", "not_awarded", "awarded_grand", "awarded_encouragement",
               "committee_decision", "consolidated_scoring", "public_notice"}
AN_APPLICATION = st.tuples(
    st.sampled_from([s.value for s in ApplicationState]),
    st.one_of(st.none(), st.integers(0, 100)),  # document-review consensus percentage
    st.integers(0, 100),  # consolidated percentage, for states that have one
)


def _place(session: Session, cycle: AwardCycle, state: str, review: int | None,
           final: int, recorder: int) -> Application:
    application = factories.application(session, state=state, award_cycle=cycle,
                                        complete=False)
    items = [item.code for item in load_standard("economic").scored_items()]
    if review is not None and state not in ("draft", "submitted", "eligibility_check",
                                            "returned_for_correction", "ineligible"):
        session.add(ConsensusSheet(application_id=application.id, stage="document_review",
                                   percentages={c: review - review % 5 for c in items},
                                   total=Decimal(5 * (review - review % 5)),
                                   recorded_by=recorder))
    if state in SCORED_ONCE:  # scored before it left (withdrawn) or reached a decision
        total = Decimal(5 * final)
        session.add(ConsolidatedScore(
            application_id=application.id, total=total, document_review_total=total,
            site_visit_total=total, breakdown={"results": final, "process": final},
            weights={}))
    session.flush()
    return application


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(cycle_of=st.lists(AN_APPLICATION, min_size=1, max_size=9))
def test_no_withdrawn_or_ineligible_application_is_ever_ranked_and_every_scored_one_once(
        sqlite_database: Database, cycle_of: list[tuple[str, int | None, int]]) -> None:
    with sqlite_database.session() as session:
        cycle = factories.cycle(session)
        recorder = factories.user(session, Role.REVIEWER).id
        placed = [_place(session, cycle, *spec, recorder) for spec in cycle_of]
        rank_class(session, cycle.id, "economic")
        ranking = class_ranking(session, cycle.id, "economic")

        ids = [entry.application.id for entry in ranking]
        assert len(ids) == len(set(ids))  # each once
        assert set(ids) == {a.id for a in placed if ApplicationState(a.state) in RANKED_STATES}
        assert not any(ApplicationState(e.application.state) in NEVER_RANKED for e in ranking)
        assert [e.position for e in ranking] == list(range(1, len(ranking) + 1))
        flags = [e.shortlisted for e in ranking]
        assert flags == sorted(flags, reverse=True)  # shortlisted first, then the others
        assert all(e.shortlisted == (ApplicationState(e.stage) not in NOT_SHORTLISTED)
                   for e in ranking)
        consolidated = [e for e in ranking if e.score is not None]
        assert [e.score.total for e in consolidated] == sorted(  # type: ignore[union-attr]
            (e.score.total for e in consolidated), reverse=True)  # type: ignore[union-attr]
        # The stored rank, the results page/API and the export follow the same ranking.
        for a in placed:
            score = session.get(ConsolidatedScore, a.id)
            if score is not None:
                expected = next((e.position for e in ranking if e.application.id == a.id), None)
                assert score.rank == expected
        listed = results_by_class(session, cycle.id).get("economic", [])
        assert [e["application"].id for e in listed] == ids
        rows = list(csv.DictReader(io.StringIO(as_csv(session, cycle.id).decode("utf-8-sig"))))
        assert [int(r["申报编号"]) for r in rows] == ids
        assert [int(r["名次"]) for r in rows] == [e.position for e in ranking]


def test_withdrawing_a_scored_application_takes_it_out_of_the_ranking_at_once(
        database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        recorder = factories.user(session, Role.REVIEWER).id
        first = _place(session, cycle, "consolidated_scoring", 90, 90, recorder)
        second = _place(session, cycle, "consolidated_scoring", 60, 60, recorder)
        rank_class(session, cycle.id, "economic")
        assert [e.application.id for e in class_ranking(session, cycle.id, "economic")] == [
            first.id, second.id]
        contact = factories.user(session, Role.APPLICANT_CONTACT,
                                 organization=first.organization)
        advance(session, first.id, "withdraw", contact, reason="企业战略调整，撤回申报")
        ranking = class_ranking(session, cycle.id, "economic")
        assert [(e.application.id, e.position) for e in ranking] == [(second.id, 1)]
        first_score = session.get(ConsolidatedScore, first.id)
        second_score = session.get(ConsolidatedScore, second.id)
        assert first_score is not None and first_score.rank is None
        assert second_score is not None and second_score.rank == 1


def test_the_ranking_lists_the_not_shortlisted_after_the_shortlisted_with_their_stage(
        database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        recorder = factories.user(session, Role.REVIEWER).id
        out_high = _place(session, cycle, "not_shortlisted", 95, 0, recorder)
        visiting = _place(session, cycle, "site_visit", 70, 0, recorder)
        decided = _place(session, cycle, "awarded_grand", 80, 80, recorder)
        _place(session, cycle, "ineligible", None, 0, recorder)
        _place(session, cycle, "withdrawn", 99, 99, recorder)
        _place(session, cycle, "draft", None, 0, recorder)
        ranking = class_ranking(session, cycle.id, "economic")
        assert [(e.application.id, e.shortlisted, e.stage) for e in ranking] == [
            (decided.id, True, "awarded_grand"), (visiting.id, True, "site_visit"),
            (out_high.id, False, "not_shortlisted")]


def test_mqa_report_ranking_and_export_list_the_same_ranking(mqa, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mqa_workflow.db import get_database

    mqa("db", "upgrade")
    with get_database().session() as session:
        cycle = factories.cycle(session)
        recorder = factories.user(session, Role.REVIEWER).id
        ranked = [_place(session, cycle, state, review, final, recorder).id
                  for state, review, final in (("not_shortlisted", 90, 0),
                                               ("awarded_grand", 80, 85))]
        gone = _place(session, cycle, "withdrawn", 99, 99, recorder).id
        rank_class(session, cycle.id, "economic")
        cycle_name = cycle.name
        session.commit()
    shown = mqa("report", "ranking", "--cycle", cycle_name)
    # Rows as (rank, application); a long cell wraps onto lines whose first cells are blank.
    cells = [[cell.strip() for cell in line.split("│")[1:3]]
             for line in shown.splitlines() if line.startswith("│")]
    assert [tuple(c) for c in cells if c[0]] == [("1", str(ranked[1])), ("2", str(ranked[0]))]
    assert "未入围" in shown
    assert gone not in {int(c[1]) for c in cells if c[1]}
    out = tmp_path / "results.csv"
    mqa("report", "export", "--cycle", cycle_name, "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [int(r["申报编号"]) for r in rows] == [ranked[1], ranked[0]]
    assert [r["入围"] for r in rows] == ["是", "否"]
    assert "does not run" in mqa("report", "ranking", "--cycle", cycle_name, "--class",
                                 "sports", code=2)
    assert "no application has reached scoring yet" in mqa(
        "report", "ranking", "--cycle", cycle_name, "--class", "cultural")
