"""Every non-economic class is an organization-or-project award (组织/项目奖): an
organization may apply as itself or for a named project (issue 12, point 8)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import create_application
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.engine import advance
from tests import factories
from tests.e2e.world import PASSWORD, World, signed_in_clients

NON_ECONOMIC = [c for c in CLASS_IDS if c != "economic"]


@pytest.mark.parametrize("award_class", NON_ECONOMIC)
def test_an_organization_applies_to_a_non_economic_class_without_a_project(
        database: Database, award_class: str) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        org = factories.organization(session)
        as_itself = create_application(session, cycle=cycle, award_class=award_class,
                                       organization=org)
        assert as_itself.project is None and as_itself.title == org.name
        for_a_project = create_application(session, cycle=cycle, award_class=award_class,
                                           organization=org, project_name="社区文化服务项目")
        assert for_a_project.project is not None
        with pytest.raises(ConflictError, match="already has application"):
            create_application(session, cycle=cycle, award_class=award_class,
                               organization=org)
        # Complete answers are all submission needs: no project is demanded.
        contact = factories.user(session)
        complete = factories.application(session, award_class=award_class,
                                         award_cycle=cycle)
        complete.project = None
        session.flush()
        advance(session, complete.id, "submit", contact)
        assert complete.state == "submitted"


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(award_class=st.sampled_from(CLASS_IDS),
       project=st.one_of(st.none(), st.text(alphabet="项目甲乙丙丁ABC", min_size=1,
                                             max_size=12)))
def test_only_the_economic_class_refuses_a_project(
        sqlite_database: Database, award_class: str, project: str | None) -> None:
    with sqlite_database.session() as session:
        cycle = factories.cycle(session)
        org = factories.organization(session)
        if award_class == "economic" and project:
            with pytest.raises(InvalidInputError, match="leave out the project"):
                create_application(session, cycle=cycle, award_class=award_class,
                                   organization=org, project_name=project)
            return
        application = create_application(session, cycle=cycle, award_class=award_class,
                                          organization=org, project_name=project)
        assert (application.project.name if application.project else None) == project


def test_mqa_application_create_class_cultural_without_a_project(mqa) -> None:
    from mqa_workflow.applicants.uscc import make_uscc

    uscc = make_uscc("91440300MA5F00077")
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz",
        "--role", "administrator")
    mqa("cycle", "create", "--year", "2026", "--classes", "cultural")
    mqa("applicant", "add", "--name", "深圳某文化传播有限公司", "--uscc", uscc,
        "--industry", "文化", "--district", "福田区")
    assert "application 1: draft" in mqa("application", "create", "--cycle", "1", "--class",
                                         "cultural", "--applicant", uscc)


def _cultural_cycle(world: World) -> int:
    with world.database.session() as session:
        cycle = create_cycle(session, year=2026, name="2026年度 文化类", classes=["cultural"])
        session.commit()
        return cycle.id


def test_the_api_creates_an_organization_application_without_a_project(world: World) -> None:
    cycle_id = _cultural_cycle(world)
    with signed_in_clients(world) as clients:
        created = clients["applicant"].post("/api/applications", json={
            "cycle_id": cycle_id, "award_class": "cultural"})
    assert created.status_code == 200 or created.status_code == 201, created.text
    assert created.json()["project"] is None
    assert created.json()["award_class"] == "cultural"


def test_the_web_form_creates_an_organization_application_without_a_project(
        world: World) -> None:
    from mqa_workflow.web.app import create_app

    cycle_id = _cultural_cycle(world)
    with TestClient(create_app(world.database), follow_redirects=False) as browser:
        browser.post("/login", data={"email": world.emails["applicant"],
                                     "password": PASSWORD, "next": "/"})
        page = browser.get("/applications")
        assert "组织申报及经济类不填" in page.text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found
        response = browser.post("/applications", data={
            "csrf_token": found.group(1), "cycle_id": str(cycle_id),
            "award_class": "cultural", "project_name": ""})
    assert response.status_code == 303, response.text
    with world.database.session() as session:
        application = session.get(Application, int(response.headers["location"].rsplit("/", 1)[1]))
        assert application is not None
        assert (application.award_class, application.project_id) == ("cultural", None)
