"""``mqa demo --stop-at STAGE`` leaves the cycle at a stage with its work waiting, and one
person of every role can sign in to the web application with the printed password."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.cli import app
from mqa_workflow.committee.models import CommitteeVote
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.demo.service import DEFAULT_PASSWORD, run_demo, stop_points
from mqa_workflow.procedure.models import Objection
from mqa_workflow.reviews.models import ReviewAssignment
from tests.migrated import migrated_sqlite

# Applications the earlier stages already settled for good (never at the stop's stage).
SETTLED = {"ineligible", "not_shortlisted"}


def _stopped(tmp_path: Path, stop_at: str, procedure: str = "plain",
             applications: int = 8) -> tuple[Database, list[str]]:
    url = migrated_sqlite(tmp_path / f"{stop_at}.sqlite3")
    database = Database(url)
    outcome = run_demo(database, applications=applications, seed=4, procedure=procedure,
                       reports_dir=tmp_path / "reports", stop_at=stop_at)
    assert outcome.stopped_at == stop_at and not outcome.reports
    with database.session() as session:
        states = list(session.scalars(select(Application.state)))
    assert sum(outcome.states.values()) == applications
    return database, states


@pytest.mark.parametrize("stage", ["draft", "eligibility_check", "document_review",
                                   "site_visit", "consolidated_scoring", "committee_decision"])
def test_stop_at_leaves_the_applications_at_the_named_stage(tmp_path: Path,
                                                           stage: str) -> None:
    database, states = _stopped(tmp_path, stage)
    assert stage in states and set(states) <= {stage} | SETTLED
    with database.session() as session:
        assert verify_chain(session)[1] is None
        open_work = session.scalar(select(func.count()).select_from(ReviewAssignment).where(
            ReviewAssignment.status == "assigned"))
        votes = session.scalar(select(func.count()).select_from(CommitteeVote))
    if stage in ("document_review", "site_visit"):  # the reviewers' sheets are waiting
        assert open_work
    if stage == "committee_decision":  # referred, no member has voted yet
        assert votes == 0


def test_stop_at_results_release_decides_everything_but_releases_nothing(
        tmp_path: Path) -> None:
    database, states = _stopped(tmp_path, "results_release")
    assert set(states) <= {"awarded_grand", "awarded_encouragement", "not_awarded"} | SETTLED
    with database.session() as session:
        assert session.scalar(select(AwardCycle.results_released_at)) is None


def test_the_shenzhen_procedure_stops_at_its_own_stages(tmp_path: Path) -> None:
    assert {"defence", "public_notice"} <= set(stop_points("shenzhen"))
    assert "defence" not in stop_points("plain")
    _, states = _stopped(tmp_path, "defence", procedure="shenzhen", applications=12)
    assert "defence" in states and set(states) <= {"defence"} | SETTLED
    database, states = _stopped(tmp_path, "public_notice", procedure="shenzhen",
                                applications=12)
    # candidates the committee did not select were settled before the notice
    assert "public_notice" in states and set(states) <= {"public_notice", "not_awarded"} | SETTLED
    with database.session() as session:  # the notice is open, no objection filed yet
        assert not session.scalars(select(Objection)).first()


def test_an_unknown_stage_is_refused_with_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="document_review"):
        run_demo(Database(f"sqlite:///{tmp_path / 'x'}.sqlite3"), applications=6, seed=1,
                 reports_dir=tmp_path, stop_at="defence")  # a Shenzhen-only stage


def test_mqa_demo_refuses_a_wrong_stage_with_exit_2_and_creates_nothing(
        tmp_path: Path) -> None:
    database = tmp_path / "d.sqlite3"
    result = CliRunner().invoke(app, ["demo", "--stop-at", "site_vist",
                                      "--database", str(database)])
    assert result.exit_code == 2
    assert "site_vist" in result.output
    assert all(stage in result.output for stage in stop_points("plain"))
    assert not database.exists()


def test_mqa_demo_refuses_a_weak_password_with_exit_2(tmp_path: Path) -> None:
    database = tmp_path / "d.sqlite3"
    result = CliRunner().invoke(app, ["demo", "--password", "short",
                                      "--database", str(database)])
    assert result.exit_code == 2 and "密码" in result.output
    assert not database.exists()


def _sign_in_lines(output: str) -> dict[str, str]:
    """Role name -> e-mail, as printed under 'sign in'."""
    block = output[output.index("sign in"):]
    return {role: email for role, email in
            re.findall(r"\b(administrator|operator|reviewer|committee member|"
                       r"applicant contact)\s+(\S+@demo\.cn)", block)}


@pytest.mark.parametrize("password", [None, "zhiliang-jiang-2026"])
def test_every_role_signs_in_with_the_printed_password(tmp_path: Path,
                                                       password: str | None) -> None:
    from fastapi.testclient import TestClient

    from mqa_workflow.web.app import create_app

    database = tmp_path / "d.sqlite3"
    args = ["demo", "--applications", "6", "--stop-at", "document_review",
            "--database", str(database), "--reports", str(tmp_path / "r")]
    result = CliRunner().invoke(app, args + (["--password", password] if password else []))
    assert result.exit_code == 0, result.output
    expected = password or DEFAULT_PASSWORD
    assert "mqa serve" in result.output and "http://127.0.0.1:8000/" in result.output
    assert expected in result.output[result.output.index("sign in"):]
    people = _sign_in_lines(result.output)
    roles = {"administrator": Role.ADMINISTRATOR, "operator": Role.OPERATOR,
             "reviewer": Role.REVIEWER, "committee member": Role.COMMITTEE_MEMBER,
             "applicant contact": Role.APPLICANT_CONTACT}
    assert set(people) == set(roles)  # one person of every role
    db = Database(f"sqlite:///{database}")
    web = create_app(db)
    try:
        with TestClient(web) as client:
            for role_name, email in people.items():
                client.cookies.clear()
                login = client.post("/api/auth/login",
                                    json={"email": email, "password": expected})
                assert login.status_code == 200, (email, login.text)
                me = client.get("/api/auth/me",
                                headers={"Authorization": f"Bearer {login.json()['token']}"})
                assert roles[role_name].value in me.json()["roles"]
            wrong = client.post("/api/auth/login", json={"email": people["administrator"],
                                                         "password": expected + "x"})
            assert wrong.status_code == 401
    finally:
        web.state.background.stop()
    with db.session() as session:  # each password set is on the audit trail
        audited = list(session.scalars(select(AuditRecord.data).where(
            AuditRecord.trigger == "set_password")))
        reviewer = session.scalar(select(User).where(User.email == people["reviewer"]))
        reviewer_work = session.scalar(select(func.count()).select_from(ReviewAssignment)
                                       .where(ReviewAssignment.reviewer_id == reviewer.id,
                                              ReviewAssignment.status == "assigned"))
    assert {record["user"] for record in audited} == set(people.values())
    assert reviewer_work  # the reviewer shown has sheets waiting
