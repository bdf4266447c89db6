"""The site-visit report: accepted once the visit has begun (Beijing time), with a finding
for each issue the team was asked to verify (issue 12, point 9)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.clock import set_clock
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.migrations.service import alembic_config
from mqa_workflow.reports.service import render_feedback
from mqa_workflow.reviews.models import ReviewAssignment, SiteVisit
from mqa_workflow.reviews.site_visits import (
    LEGACY_FINDING_NOTE,
    schedule_site_visit,
    submit_visit_report,
)
from mqa_workflow.reviews.statement import confirm_no_conflict
from tests import factories
from tests.conftest import POSTGRES_URL, service_missing
from tests.e2e.world import PASSWORD, World, build
from tests.services import own_postgresql_database

ISSUES = ["核实质量损失率统计口径", "核实顾客满意度测评方法"]
FINDINGS = [{"issue": ISSUES[0], "verified": "yes", "finding": "口径与国家标准一致"},
            {"issue": ISSUES[1], "verified": "partly", "finding": "样本未覆盖海外客户"}]


def _visit(session: Session, on: date = date(2026, 9, 1)) -> tuple[Application, User]:
    application = factories.application(session, state="site_visit")
    leader = factories.user(session, Role.REVIEWER)
    session.add(ReviewAssignment(application_id=application.id, reviewer_id=leader.id,
                                 stage="site_visit", is_leader=True, status="submitted"))
    session.flush()
    schedule_site_visit(session, application, on, ISSUES)
    return application, leader


def _at(moment: datetime) -> None:
    set_clock(lambda: moment)


def test_a_report_is_accepted_only_once_the_visit_has_begun_in_beijing(
        database: Database) -> None:
    with database.session() as session:
        application, leader = _visit(session)
        _at(datetime(2026, 8, 31, 15, 30, tzinfo=UTC))  # 23:30 on 31 August in Beijing
        with pytest.raises(ConflictError, match="begins on 2026-09-01"):
            submit_visit_report(session, application, leader, FINDINGS)
        visit = session.get(SiteVisit, application.id)
        assert visit is not None and visit.reported_at is None and visit.findings == []
        _at(datetime(2026, 8, 31, 16, 30, tzinfo=UTC))  # 00:30 on 1 September in Beijing
        submit_visit_report(session, application, leader, FINDINGS, "总体情况良好")
        assert visit.reported_at is not None


def test_every_issue_to_verify_needs_one_finding_every_problem_at_once(
        database: Database) -> None:
    with database.session() as session:
        application, leader = _visit(session)
        _at(datetime(2026, 9, 2, tzinfo=UTC))
        with pytest.raises(InvalidInputError) as refused:
            submit_visit_report(session, application, leader, [
                {"issue": ISSUES[0], "verified": "maybe", "finding": ""},
                {"issue": "核实不存在的问题", "verified": "yes", "finding": "x"},
                {"issue": ISSUES[0], "verified": "yes", "finding": "again"},
            ], "一段自由文本")
        assert refused.value.problems == [
            f"{ISSUES[0]}: verified must be yes, partly or no (not 'maybe')",
            f"{ISSUES[0]}: write what the team found",
            "finding 2: '核实不存在的问题' is not an issue this visit was asked to verify",
            f"finding 3: '{ISSUES[0]}' has a finding already",
            f"{ISSUES[1]}: no finding (every issue to verify needs one)",
        ]
        visit = session.get(SiteVisit, application.id)
        assert visit is not None and visit.reported_at is None  # nothing stored
        with pytest.raises(InvalidInputError, match="incomplete"):
            submit_visit_report(session, application, leader, [], "只有一段自由文本")


def test_the_findings_are_stored_per_issue_audited_and_shown_in_the_feedback(
        database: Database) -> None:
    with database.session() as session:
        application, leader = _visit(session)
        _at(datetime(2026, 9, 2, tzinfo=UTC))
        submit_visit_report(session, application, leader, list(reversed(FINDINGS)),
                            "总体情况良好")
        visit = session.get(SiteVisit, application.id)
        assert visit is not None
        assert visit.findings == FINDINGS  # in the order of the issues
        assert visit.report == "总体情况良好"
        record = session.scalar(select(AuditRecord).where(
            AuditRecord.application_id == application.id,
            AuditRecord.trigger == "site_visit_report"))
        assert record is not None and record.actor == leader.email
        assert record.data["findings"] == [{"issue": ISSUES[0], "verified": "yes"},
                                           {"issue": ISSUES[1], "verified": "partly"}]
        with pytest.raises(ConflictError, match="no longer change"):
            schedule_site_visit(session, application, date(2026, 9, 9), ["另一个问题"])
        html = render_feedback(session, application)
        assert "现场核查发现" in html
        assert f"<td>{ISSUES[1]}</td><td>部分核实</td><td>样本未覆盖海外客户</td>" in html


def test_only_the_leader_reports_and_only_during_the_site_visit(database: Database) -> None:
    with database.session() as session:
        application, _ = _visit(session)
        _at(datetime(2026, 9, 2, tzinfo=UTC))
        with pytest.raises(ConflictError, match="does not lead"):
            submit_visit_report(session, application, factories.user(session, Role.REVIEWER),
                                FINDINGS)
        application.state = "consolidated_scoring"
        session.flush()
        leader = session.scalars(select(User).join(
            ReviewAssignment, ReviewAssignment.reviewer_id == User.id)).one()
        with pytest.raises(ConflictError, match="written during the site visit"):
            submit_visit_report(session, application, leader, FINDINGS)


def test_mqa_sitevisit_report_reads_findings_from_json(mqa, tmp_path: Path) -> None:
    from mqa_workflow.db import get_database

    mqa("db", "upgrade")
    with get_database().session() as session:
        application, leader = _visit(session, on=date(2026, 9, 1))
        application_id, email = application.id, leader.email
        session.commit()
    _at(datetime(2026, 8, 20, tzinfo=UTC))
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"summary": "总体良好", "findings": FINDINGS},
                               ensure_ascii=False), encoding="utf-8")
    refused = mqa("sitevisit", "report", str(application_id), "--file", str(path),
                  "--as", email, code=3)
    assert "begins on 2026-09-01" in refused
    _at(datetime(2026, 9, 1, 1, tzinfo=UTC))
    assert "2 findings" in mqa("sitevisit", "report", str(application_id), "--file",
                               str(path), "--as", email)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    if not POSTGRES_URL:
        service_missing("MQA_TEST_POSTGRES_URL")
    with own_postgresql_database(POSTGRES_URL, "migration") as url:
        yield url


def test_the_migration_keeps_a_free_text_report_as_the_summary_and_recovers_decisions(
        empty_url: str) -> None:
    url = empty_url
    config = alembic_config(url)
    command.upgrade(config, "0020")
    engine = create_engine(url)
    stamp = "2026-09-01 08:00:00.000000"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO award_cycles (id, year, name, classes, deadlines, rules_data, "
            "created_at) VALUES (1, 2026, 'c', '[\"economic\"]', '{}', '{}', :t)"), {"t": stamp})
        connection.execute(text(
            "INSERT INTO organizations (id, name, uscc, industry, district, contacts, "
            "created_at) VALUES (1, 'o', '91440300000000001X', 'i', 'd', '[]', :t)"),
            {"t": stamp})
        for n, state in ((1, "awarded_grand"), (2, "consolidated_scoring")):
            connection.execute(text(
                "INSERT INTO applications (id, cycle_id, award_class, organization_id, "
                "project_id, state, version, profile, created_at, updated_at) VALUES "
                "(:n, 1, 'economic', 1, NULL, :s, 1, '', :t, :t)"),
                {"n": n, "s": state, "t": stamp})
        connection.execute(text(
            "INSERT INTO users (id, name, email, roles, created_at) VALUES "
            "(1, 'c', 'c@x.cn', '[\"committee_member\"]', :t)"), {"t": stamp})
        connection.execute(text(
            "INSERT INTO committee_votes (application_id, member_id, choice, cast_at) "
            "VALUES (1, 1, 'grand', :t)"), {"t": stamp})
        # A record of the trail as 0020 wrote it (one SHA-256 chain), so that the later
        # migration that re-seals the trail under the audit key finds it intact.
        fields = {"seq": 1, "application_id": 1, "actor": "admin@x.cn",
                  "at": "2026-09-01T08:00:00.000000Z", "trigger": "award_grand",
                  "from_state": "committee_decision", "to_state": "awarded_grand",
                  "reason": "", "data": {}}
        genesis = "0" * 64
        canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
        connection.execute(text(
            "INSERT INTO audit_records (seq, application_id, actor, at, trigger, from_state, "
            "to_state, reason, data, prev_hash, hash) VALUES (1, 1, 'admin@x.cn', :t, "
            "'award_grand', 'committee_decision', 'awarded_grand', '', '{}', :p, :h)"),
            {"t": stamp, "p": genesis,
             "h": hashlib.sha256(f"{genesis}\n{canonical}".encode()).hexdigest()})
        connection.execute(text(
            "INSERT INTO site_visits (application_id, scheduled_on, issues_to_verify, report, "
            "reported_by, reported_at) VALUES (2, '2026-08-01', :i, '现场核实无误', 1, :t)"),
            {"i": json.dumps(ISSUES, ensure_ascii=False), "t": stamp})
    engine.dispose()
    command.upgrade(config, "head")
    database = Database(url)
    with database.session() as session:
        visit = session.get(SiteVisit, 2)
        assert visit is not None and visit.report == "现场核实无误"
        assert visit.findings == [{"issue": issue, "verified": None,
                                   "finding": LEGACY_FINDING_NOTE} for issue in ISSUES]
        from mqa_workflow.committee.models import CommitteeDecision

        decision = session.get(CommitteeDecision, 1)
        assert decision is not None
        assert (decision.outcome, decision.counts["grand"], decision.decided_by) == (
            "grand", 1, "admin@x.cn")
        assert session.get(CommitteeDecision, 2) is None
    database.engine.dispose()


def _reviewer_browser(world: World) -> tuple[TestClient, str]:
    from mqa_workflow.web.app import create_app

    browser = TestClient(create_app(world.database), follow_redirects=False)
    browser.post("/login", data={"email": world.emails["reviewer"], "password": PASSWORD,
                                 "next": "/"})
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/tasks").text)
    assert found
    return browser, found.group(1)


def test_the_leader_reports_on_the_web_form_once_the_visit_has_begun(
        sqlite_database: Database) -> None:
    world = build(sqlite_database)
    a = world.application_id
    with sqlite_database.session() as session:
        application = session.get(Application, a)
        assert application is not None
        application.state = "site_visit"  # test set-up: the visit's team, scheduled
        leader = session.scalars(select(User).where(
            User.email == world.emails["reviewer"])).one()
        session.add(ReviewAssignment(application_id=a, reviewer_id=leader.id,
                                     stage="site_visit", is_leader=True, status="submitted"))
        session.flush()
        confirm_no_conflict(session, leader, a)  # before opening anything (回避承诺)
        schedule_site_visit(session, application, date(2026, 9, 10), ISSUES)
        session.commit()
    form = {"verified_0": "yes", "finding_0": FINDINGS[0]["finding"],
            "verified_1": "partly", "finding_1": FINDINGS[1]["finding"], "report": "总体良好"}

    _at(datetime(2026, 9, 9, 15, tzinfo=UTC))  # 23:00 on 9 September in Beijing
    browser, csrf = _reviewer_browser(world)
    with browser:
        page = browser.get(f"/applications/{a}/site-visit")
        assert "现场评审定于 2026-09-10 开始" in page.text and "submit-report" not in page.text
        early = browser.post(f"/applications/{a}/site-visit", data=form | {"csrf_token": csrf})
        assert early.status_code == 409 and "于 2026-09-10 开始" in early.text  # in Chinese

    _at(datetime(2026, 9, 10, 1, tzinfo=UTC))
    browser, csrf = _reviewer_browser(world)
    with browser:
        page = browser.get(f"/applications/{a}/site-visit")
        assert 'name="verified_1"' in page.text and 'name="finding_0"' in page.text
        missing = browser.post(f"/applications/{a}/site-visit",
                               data=form | {"csrf_token": csrf, "verified_1": ""})
        assert missing.status_code == 422 and "核实结论须为“是”“部分”或“否”" in missing.text
        done = browser.post(f"/applications/{a}/site-visit", data=form | {"csrf_token": csrf})
        assert done.status_code == 303, done.text
        shown = browser.get(f"/applications/{a}/site-visit").text
    assert "<td>核实顾客满意度测评方法</td>" in shown and "部分核实" in shown
    with sqlite_database.session() as session:
        visit = session.get(SiteVisit, a)
        assert visit is not None and visit.findings == FINDINGS and visit.report == "总体良好"
