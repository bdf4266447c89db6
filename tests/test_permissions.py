"""Who may see what: independent scoring (page and command line), the rule for releasing a
cycle's results (a property over random cycles), and the command line refusing what the
web refuses."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.cli import app as cli_app
from mqa_workflow.clock import office_today
from mqa_workflow.config import get_settings
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.db import Database, get_database
from mqa_workflow.errors import ForbiddenError, TransitionRefusedError
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.permissions import sees_team_percentages, team_place, team_progress
from mqa_workflow.procedure.models import PublicNotice
from mqa_workflow.reports.service import NO_FEEDBACK_STATES
from mqa_workflow.reviews.models import ReviewAssignment
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.release import release_results
from mqa_workflow.states.table import is_final
from mqa_workflow.web.app import create_app
from tests import factories
from tests.cli.test_full_cycle import USCC, _file, _set_up, _to_document_review
from tests.e2e.world import USCC_A, build, signed_in_clients
from tests.web.test_api_flow import CODES, ok
from tests.web.test_pages import sign_in


def said(output: str) -> str:
    """The command's words without the terminal's line wrapping."""
    return " ".join(output.split())


# --- 11. independent scoring --------------------------------------------------------------


def _submit_sheet(api: dict[str, TestClient], role: str, application_id: int) -> None:
    mine = [a for a in ok(api[role].get("/api/assignments"))
            if a["application_id"] == application_id]
    ok(api[role].post(f"/api/applications/{application_id}/no-conflict-statement"), 201)
    ok(api[role].put(f"/api/assignments/{mine[0]['id']}/sheet",
                     json={"scores": {c: 70 for c in CODES}, "submit": True}))


def test_the_consensus_page_shows_k_of_n_until_the_reviewers_own_sheet_is_in(
        sqlite_database: Database) -> None:
    world = build(sqlite_database)
    a = world.application_id
    page = f"/applications/{a}/consensus/document_review"
    with signed_in_clients(world) as api, \
            TestClient(create_app(world.database), follow_redirects=False) as browser:
        sign_in(browser, world, "reviewer")
        before = browser.get(page).text
        assert "已提交 0 / 2" in before and 'id="scores-hidden"' in before
        _submit_sheet(api, "reviewer2", a)
        waiting = browser.get(page).text
        assert "已提交 1 / 2" in waiting and 'id="scores-hidden"' in waiting
        assert "<table" not in waiting  # not one teammate's percentage
        browser.cookies.clear()
        sign_in(browser, world, "reviewer2")
        own_in = browser.get(page).text
        assert "已提交 1 / 2" in own_in and 'id="scores-hidden"' not in own_in
        assert "<table" in own_in and "<td>70%</td>" in own_in
        browser.cookies.clear()
        sign_in(browser, world, "admin")
        office = browser.get(page).text
        assert 'id="scores-hidden"' not in office and "<table" in office


@given(team=st.integers(min_value=1, max_value=5), withdrawn=st.integers(0, 2),
       data=st.data())
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_reviewer_sees_the_teams_percentages_exactly_when_their_own_sheet_is_in(
        sqlite_database: Database, team: int, withdrawn: int, data: st.DataObject) -> None:
    done = data.draw(st.sets(st.integers(min_value=0, max_value=team - 1)))
    with sqlite_database.session() as session:
        application = factories.application(session, state="document_review")
        admin = factories.user(session, Role.ADMINISTRATOR)
        outsider = factories.user(session, Role.REVIEWER)
        members = [factories.user(session, Role.REVIEWER) for _ in range(team + withdrawn)]
        for n, member in enumerate(members):
            status = ("withdrawn" if n >= team else "submitted" if n in done else "assigned")
            session.add(ReviewAssignment(application_id=application.id, reviewer_id=member.id,
                                         stage="document_review", is_leader=n == 0,
                                         status=status))
        session.flush()
        # k of n counts the active team only (a withdrawn member is no longer on it)
        assert team_progress(session, application.id, "document_review") == (len(done), team)
        for n, member in enumerate(members[:team]):
            _, place = team_place(session, member, application.id, "document_review")
            assert sees_team_percentages(member, place) == (n in done)
        _, nobody = team_place(session, admin, application.id, "document_review")
        assert sees_team_percentages(admin, nobody)
        with pytest.raises(ForbiddenError):
            team_place(session, outsider, application.id, "document_review")
        session.rollback()


def _in_document_review(mqa, tmp_path: Path) -> str:
    """Application 1 staffed for document review; a reviewer's score sheet for it."""
    _to_document_review(mqa, tmp_path)
    scores = {i.code: 70 for i in load_standard("economic").scored_items()}
    return _file(tmp_path, "sheet.json", {"scores": scores})


def test_the_command_line_shows_the_teams_percentages_only_after_the_own_sheet(
        mqa, tmp_path: Path) -> None:
    sheet = _in_document_review(mqa, tmp_path)
    mqa("review", "confirm", "1", "--yes", "--as", "r2@pool.cn")
    mqa("review", "sheet", "1", "--file", sheet, "--submit", "--as", "r2@pool.cn")
    hidden = mqa("review", "consensus", "1", "--as", "r1@pool.cn")
    assert "已提交 1 / 2" in hidden and "independent scoring" in hidden
    assert "spread" not in hidden
    refused = mqa("review", "consensus", "1", "--as", "r1@pool.cn", "--decisions",
                  _file(tmp_path, "none.json", {}), code=3)
    assert "must submit their own document_review score sheet" in refused
    assert "may not see application 1" in mqa(
        "review", "consensus", "1", "--as", "c1@committee.cn", code=6)
    mqa("review", "confirm", "1", "--yes", "--as", "r1@pool.cn")
    mqa("review", "sheet", "1", "--file", sheet, "--submit", "--as", "r1@pool.cn")
    shown = mqa("review", "consensus", "1", "--as", "r1@pool.cn")
    assert "已提交 2 / 2" in shown and "spread" in shown and "70, 70" in shown
    assert "spread" in mqa("review", "consensus", "1")  # the office (MQA_ACTOR) sees it


# --- 12. the release rule, over random cycles ---------------------------------------------

STATES = [state.value for state in ApplicationState]


def _open(state: str) -> bool:
    return state != "draft" and not is_final(state)


@given(states=st.lists(st.sampled_from(STATES), min_size=1, max_size=6),
       notice_offsets=st.lists(st.integers(min_value=-3, max_value=3), max_size=3))
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_results_are_released_exactly_when_every_decision_is_taken_and_every_notice_closed(
        sqlite_database: Database, states: list[str], notice_offsets: list[int]) -> None:
    today = office_today()
    with sqlite_database.session() as session:
        cycle = factories.cycle(session)
        admin = factories.user(session, Role.ADMINISTRATOR)
        apps = [factories.application(session, award_cycle=cycle, state=state, complete=False)
                for state in states]
        offsets = notice_offsets[:len(apps)]
        for app, days in zip(apps, offsets, strict=False):
            session.add(PublicNotice(application_id=app.id, proposed_award="grand",
                                     published_on=today - timedelta(days=10),
                                     closes_on=today + timedelta(days=days)))
        session.flush()
        releasable = (not any(map(_open, states)) and all(days < 0 for days in offsets)
                      and any(s != "draft" and is_final(s) for s in states))
        if not releasable:
            with pytest.raises(TransitionRefusedError) as refused:
                release_results(session, cycle, admin)
            problems = " ".join(refused.value.problems)
            for app, state in zip(apps, states, strict=True):
                if _open(state):
                    assert str(app.id) in problems and state in problems
            assert cycle.results_released_at is None
            return
        release = release_results(session, cycle, admin)
        told = [a.id for a, s in zip(apps, states, strict=True) if s not in NO_FEEDBACK_STATES]
        assert release.applications == len(told)
        queued = session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.task == "reports.feedback_ready")).all()
        assert sorted(p["application_id"] for p in queued if p["application_id"] in
                      {a.id for a in apps}) == told
        session.rollback()


# --- 13. the command line enforces the web's permissions ----------------------------------


def test_a_writing_command_without_a_known_actor_is_refused(
        mqa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set_up(mqa, tmp_path)
    assert "not a known user" in mqa("cycle", "create", "--year", "2027",
                                     "--as", "nobody@nowhere.cn", code=6)
    monkeypatch.delenv("MQA_ACTOR")
    get_settings.cache_clear()
    assert "say who is acting" in mqa("cycle", "create", "--year", "2027", code=2)
    assert "say who is acting" in mqa("user", "add", "--name", "x", "--email", "x@y.cn",
                                      "--role", "reviewer", code=2)
    assert "say who is acting" in mqa("application", "create", "--cycle", "1", "--class",
                                      "economic", "--applicant", USCC, code=2)


def test_the_first_person_of_an_empty_system_is_the_administrator(
        mqa, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MQA_ACTOR")
    get_settings.cache_clear()
    mqa("db", "upgrade")
    refused = mqa("user", "add", "--name", "x", "--email", "x@y.cn", "--role", "reviewer",
                  code=6)
    assert "the first person must be an administrator" in refused
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    mqa("user", "add", "--name", "专家", "--email", "r@pool.cn", "--role", "reviewer",
        "--as", "admin@office.sz")
    assert "may not add people" in mqa("user", "add", "--name", "y", "--email", "y@y.cn",
                                       "--role", "reviewer", "--as", "r@pool.cn", code=6)


def test_a_reviewer_may_not_create_or_edit_applications_nor_run_the_office(
        mqa, tmp_path: Path) -> None:
    _set_up(mqa, tmp_path)
    mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant", USCC)
    answers = _file(tmp_path, "a.json", {"profile": "概况", "items": {}})
    as_reviewer = ("--as", "r1@pool.cn")
    assert "may not open applications" in mqa(
        "application", "create", "--cycle", "1", "--class", "economic", "--applicant", USCC,
        *as_reviewer, code=6)
    assert "may not change application 1" in mqa("application", "answer", "1", "--file",
                                                  answers, *as_reviewer, code=6)
    assert "may not change application 1" in mqa("application", "attach", "1", answers,
                                                  *as_reviewer, code=6)
    for command in (("cycle", "create", "--year", "2027"),
                    ("cycle", "deadline", "1", "submission", "2027-01-01"),
                    ("cycle", "release-results", "1"),
                    ("reviewer", "add", "r2@pool.cn", "--classes", "economic"),
                    ("review", "assign", "1"),
                    ("notify", "retry")):
        assert "needs the role" in said(mqa(*command, *as_reviewer, code=6)), command


def test_an_applicant_contact_writes_only_its_own_organizations_applications(
        mqa, tmp_path: Path) -> None:
    from mqa_workflow.applicants.uscc import make_uscc

    _set_up(mqa, tmp_path)
    other = make_uscc("91440300MA5F00777")
    mqa("applicant", "add", "--name", "深圳另一公司", "--uscc", other, "--industry", "电子信息",
        "--district", "南山区")
    mqa("application", "create", "--cycle", "1", "--class", "economic", "--applicant", other)
    contact = ("--as", "li@corp.cn")
    own = mqa("application", "create", "--cycle", "1", "--class", "economic",
              "--applicant", USCC, *contact)
    assert "application 2: draft" in own
    answers = _file(tmp_path, "a.json", {"profile": "概况", "items": {"1.1": "做法"}})
    assert "1 item answers saved" in mqa("application", "answer", "2", "--file", answers,
                                         *contact)
    assert "only for their own organization" in mqa(
        "application", "create", "--cycle", "1", "--class", "economic", "--applicant", other,
        *contact, code=6)
    # another organization's application does not exist for this contact (the web's 404)
    assert "no application 1" in mqa("application", "answer", "1", "--file", answers,
                                     *contact, code=2)
    assert "no application 1" in mqa("case", "show", "1", *contact, code=2)
    assert "needs the role administrator" in said(mqa(
        "applicant", "add", "--name", "n", "--uscc", other, "--industry", "i",
        "--district", "d", *contact, code=6))


def test_the_case_history_an_applicant_reads_on_the_command_line_names_nobody(
        mqa, tmp_path: Path) -> None:
    _in_document_review(mqa, tmp_path)
    office = mqa("case", "show", "1")
    assert "admin@office.sz" in office and "waits for" in office
    mine = mqa("case", "show", "1", "--as", "li@corp.cn")
    assert "confirm_eligible" in mine and "admin@office.sz" not in mine
    assert "li@corp.cn" not in mine and "waits for" not in mine


def test_the_cli_release_is_refused_with_every_open_decision_named(
        mqa, tmp_path: Path) -> None:
    _in_document_review(mqa, tmp_path)
    refused = mqa("cycle", "release-results", "1", code=4)
    assert "cannot release the results" in refused and "document_review" in refused


def test_the_command_line_and_the_web_allow_and_refuse_the_same_people(
        sqlite_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule set, two doors: for every person and both organizations' applications,
    opening and editing answer alike (web 2xx / 403 / 404 ↔ exit 0 / 6 / 2)."""
    world = build(sqlite_database, to_review=False)  # A and B are drafts
    monkeypatch.setenv("MQA_DATABASE_URL", sqlite_database.engine.url.render_as_string())
    monkeypatch.delenv("MQA_ACTOR", raising=False)
    get_settings.cache_clear()
    get_database.cache_clear()
    answers = _file(tmp_path, "a.json", {"profile": "概况", "items": {}})
    exit_for = {200: 0, 201: 0, 403: 6, 404: 2}
    with sqlite_database.session() as session:  # a fresh cycle per person and door
        cycles = {(role, door): create_cycle(session, year=2027, classes=["economic"],
                                             name=f"{role} {door}").id
                  for role in world.emails for door in ("web", "cli")}
    compared = 0
    with signed_in_clients(world) as api:
        for role, email in world.emails.items():
            web = api[role].post("/api/applications", json={
                "cycle_id": cycles[role, "web"], "award_class": "economic",
                "organization_id": world.organization_id}).status_code
            cli = CliRunner().invoke(cli_app, [
                "application", "create", "--cycle", str(cycles[role, "cli"]), "--class",
                "economic", "--applicant", USCC_A, "--as", email])
            assert exit_for[web] == cli.exit_code, (role, "create", web, cli.output)
            for application_id in (world.application_id, world.other_application_id):
                web = api[role].put(f"/api/applications/{application_id}/answers",
                                    json={"profile": "概况"}).status_code
                cli = CliRunner().invoke(cli_app, [
                    "application", "answer", str(application_id), "--file", answers,
                    "--as", email])
                assert exit_for[web] == cli.exit_code, (role, application_id, web, cli.output)
                compared += 1
    assert compared == 2 * len(world.emails)
    get_settings.cache_clear()
    get_database.cache_clear()
