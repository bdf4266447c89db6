"""``mqa demo`` runs a whole award cycle; the same seed gives the same outcome."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from mqa_workflow.accounts.models import User
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.cli import app
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.demo.service import DemoOutcome, run_demo
from mqa_workflow.notifications.models import Notification
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.reviews.models import ConflictOfInterest, ReviewAssignment
from tests.migrated import migrated_sqlite

FINAL = {"awarded_grand", "awarded_encouragement", "not_awarded", "not_shortlisted",
         "ineligible"}


def _run(tmp_path: Path, name: str, seed: int) -> tuple[Database, DemoOutcome]:
    url = migrated_sqlite(tmp_path / f"{name}.sqlite3")
    database = Database(url)
    return database, run_demo(database, applications=18, seed=seed,
                              reports_dir=tmp_path / f"{name}-reports")


def _summary(outcome: DemoOutcome) -> dict[str, list[tuple[object, ...]]]:
    return {c: [(r.application_id, r.rank, r.final, r.state) for r in rows]
            for c, rows in outcome.rankings.items()}


def test_the_demo_runs_every_application_to_a_final_state(tmp_path: Path) -> None:
    database, outcome = _run(tmp_path, "a", seed=7)
    ranked = [row.state for rows in outcome.rankings.values() for row in rows]
    assert "ineligible" not in ranked  # never ranked, listed apart
    states = ranked + [row.state for row in outcome.unranked]
    assert len(states) == 18 and set(states) <= FINAL
    assert states.count("awarded_grand") <= 6  # quota: one grand award per class
    awarded = {"awarded_grand": "grand", "awarded_encouragement": "encouragement"}
    for rows in outcome.rankings.values():  # each winner reads its own award, frozen
        assert all(row.decision == awarded[row.state] for row in rows if row.state in awarded)
    assert len(outcome.reports) == 18 - states.count("ineligible")
    with database.session() as session:
        assert verify_chain(session)[1] is None
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None))) == 0
        conflicted = session.execute(select(ConflictOfInterest.user_id,
                                            ConflictOfInterest.application_id)).all()
        assigned = set(session.execute(select(ReviewAssignment.reviewer_id,
                                              ReviewAssignment.application_id)).all())
        assert conflicted and not set(conflicted) & assigned
    report = outcome.reports[0].read_text(encoding="utf-8")
    assert "反馈报告" in report and "材料评审共识评分" in report
    with database.session() as session:
        # the office released the results at the end; every applicant past eligibility was
        # told then, and no notice to an applicant carries the committee's vote counts
        assert session.get(AwardCycle, outcome.cycle_id).results_released_at is not None
        to_applicants = session.scalars(select(Notification).join(
            User, User.id == Notification.user_id).where(
            User.organization_id.is_not(None))).all()
        ready = [n for n in to_applicants if n.event == "feedback_report_ready"]
        assert len(ready) == len(outcome.reports)
        assert not any("票" in n.body or "票" in n.html for n in to_applicants)


def test_the_same_seed_gives_the_same_outcome(tmp_path: Path) -> None:
    first = _summary(_run(tmp_path, "first", seed=11)[1])
    again = _summary(_run(tmp_path, "again", seed=11)[1])
    other = _summary(_run(tmp_path, "other", seed=12)[1])
    assert first == again and first != other


def test_mqa_demo_prints_the_rankings_and_the_reports_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--applications", "6", "--seed", "3",
                                      "--database", str(tmp_path / "d.sqlite3"),
                                      "--reports", str(tmp_path / "reports")])
    assert result.exit_code == 0, result.output
    assert "economic ranking" in result.output and "feedback reports written" in result.output


def test_the_demo_runs_the_full_shenzhen_procedure(tmp_path: Path) -> None:
    from mqa_workflow.procedure.models import EligibilityReview, Objection

    url = migrated_sqlite(tmp_path / 'sz.sqlite3')
    database = Database(url)
    outcome = run_demo(database, applications=24, seed=5, reports_dir=tmp_path / "r",
                       procedure="shenzhen")
    states = [row.state for rows in outcome.rankings.values() for row in rows]
    assert set(states) <= FINAL and "ineligible" not in states
    assert [row.state for row in outcome.unranked] == ["ineligible", "ineligible"]
    with database.session() as session:
        assert verify_chain(session)[1] is None
        objections = {o.status for o in session.scalars(select(Objection))}
        assert objections == {"upheld", "dismissed"}
        assert session.scalar(select(func.count()).select_from(EligibilityReview)) == 24
        triggers = set(session.scalars(select(AuditRecord.trigger)))
    assert {"shortlist_for_defence", "pass_defence", "begin_social_evaluation",
            "finish_social_evaluation", "not_selected", "remove_after_objection"} <= triggers
    assert triggers & {"confirm_grand", "confirm_encouragement"}
