"""Authorization by role and by relation, endpoint by endpoint.

Every role is tried against every endpoint it must not reach and must get 403 or
404 (an applicant asking about another organization's application gets 404, so ids
reveal nothing; a conflicted reviewer gets 403 with the reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ReviewAssignment
from mqa_workflow.reviews.statement import confirm_no_conflict
from mqa_workflow.web.app import create_app
from tests.e2e.world import PASSWORD, World, build, signed_in_clients, to_document_review
from tests.migrated import migrated_sqlite

ROLES = ("admin", "applicant", "other_applicant", "reviewer", "conflicted", "committee",
         "operator")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    url = migrated_sqlite(Path(tmp_path_factory.mktemp('web')) / 'access.sqlite3')
    database = Database(url)
    world = build(database, to_review=False)
    with TestClient(create_app(database)) as client:
        client.post("/api/auth/login", json={"email": world.emails["applicant"],
                                            "password": PASSWORD})
        # one document on application A, for the download rule
        me = client.get("/api/auth/me").json()
        client.post(f"/api/applications/{world.application_id}/documents",
                    headers={"X-CSRF-Token": me["csrf_token"]},
                    files={"file": ("营业执照.pdf", b"%PDF-1.4 test", "application/pdf")})
    to_document_review(world)
    with database.session() as session:  # the reviewer has confirmed the 回避承诺
        application = session.get(Application, world.application_id)
        reviewer = get_user(session, world.emails["reviewer"])
        assert confirm_no_conflict(session, reviewer, application.id)
    yield world
    database.engine.dispose()


@pytest.fixture(scope="module")
def clients(world: World) -> Iterator[dict[str, TestClient]]:
    with signed_in_clients(world) as signed_in:
        yield signed_in


def _assignment_of(world: World, email_key: str) -> int:
    from mqa_workflow.accounts.service import get_user

    with world.database.session() as session:
        user = get_user(session, world.emails[email_key])
        return session.scalar(select(ReviewAssignment.id).where(
            ReviewAssignment.reviewer_id == user.id)) or 0


def endpoints(world: World) -> list[tuple[str, str, dict | None, set[str]]]:
    """(method, path, JSON body, the roles allowed) while application A is in review."""
    a, b, c, org = (world.application_id, world.other_application_id, world.cycle_id,
                    world.organization_id)
    mine = _assignment_of(world, "reviewer")
    with world.database.session() as session:
        reviewer_id = get_user(session, world.emails["reviewer"]).id
    return [
        ("GET", "/api/users", None, {"admin"}),
        ("POST", "/api/users", {"name": "x", "email": "x@y.cn", "roles": ["reviewer"]},
         {"admin"}),
        ("PUT", "/api/users/1/password", {"password": "0123456789ab"}, {"admin"}),
        ("POST", "/api/cycles", {"year": 2027}, {"admin"}),
        ("GET", f"/api/cycles/{c}/board", None, {"admin"}),
        ("GET", "/api/applicants", None, {"admin"}),
        ("POST", "/api/applicants", {"name": "n", "uscc": "u", "industry": "i",
                                     "district": "d"}, {"admin"}),
        ("GET", f"/api/applicants/{org}", None, {"admin", "applicant"}),
        ("POST", "/api/applications", {"cycle_id": c, "award_class": "economic"},
         {"admin", "applicant", "other_applicant"}),
        ("GET", f"/api/applications/{a}", None, {"admin", "applicant", "reviewer"}),
        ("GET", f"/api/applications/{b}", None, {"admin", "other_applicant"}),
        ("PUT", f"/api/applications/{a}/answers", {"profile": "x"}, {"admin", "applicant"}),
        ("PUT", f"/api/applications/{b}/answers", {"profile": "x"},
         {"admin", "other_applicant"}),
        ("GET", f"/api/applications/{a}/history", None, {"admin", "applicant"}),
        ("GET", f"/api/applications/{a}/waiting-for", None, {"admin"}),
        ("GET", f"/api/applications/{a}/documents", None, {"admin", "applicant", "reviewer"}),
        ("GET", "/api/documents/1", None, {"admin", "applicant", "reviewer"}),
        ("POST", f"/api/applications/{a}/transitions", {"trigger": "withdraw", "reason": "x"},
         {"admin", "applicant"}),
        ("POST", f"/api/applications/{b}/transitions", {"trigger": "submit"},
         {"admin", "other_applicant"}),
        ("POST", "/api/transitions/bulk", {"cycle_id": c, "trigger": "shortlist"}, {"admin"}),
        ("GET", "/api/assignments", None, {"admin", "reviewer", "conflicted"}),
        ("POST", f"/api/applications/{a}/assignments", {"stage": "document_review"},
         {"admin"}),
        ("POST", f"/api/assignments/{mine}/decline", {"reason": "x"}, {"reviewer"}),
        ("GET", f"/api/assignments/{mine}/sheet", None, {"admin", "reviewer"}),
        ("PUT", f"/api/assignments/{mine}/sheet", {"scores": {}}, {"reviewer"}),
        ("GET", f"/api/applications/{a}/consensus/document_review", None,
         {"admin", "reviewer"}),
        ("POST", f"/api/applications/{a}/consensus/document_review", {"decisions": {}},
         {"reviewer"}),
        ("GET", f"/api/applications/{a}/site-visit", None, {"admin"}),
        ("PUT", f"/api/applications/{a}/site-visit", {"scheduled_on": "2026-09-01"},
         {"admin"}),
        ("POST", f"/api/applications/{a}/site-visit/report", {"report": "x"}, set()),
        ("GET", "/api/committee/applications", None, {"committee"}),
        ("POST", f"/api/applications/{a}/votes", {"choice": "grand"}, set()),
        ("GET", f"/api/applications/{a}/tally", None, {"admin"}),
        # the applicant reads it only once the office releases the results (not yet here)
        ("GET", f"/api/applications/{a}/feedback", None, {"admin"}),
        ("POST", f"/api/cycles/{c}/release-results", None, {"admin"}),
        ("GET", f"/api/cycles/{c}/results", None, {"admin", "committee"}),
        ("GET", f"/api/cycles/{c}/export", None, {"admin"}),
        ("GET", "/api/operations", None, {"admin", "operator"}),
        ("POST", "/api/operations/tasks/1/retry", None, {"admin", "operator"}),
        ("POST", "/api/operations/emails/retry", {}, {"admin", "operator"}),
        ("GET", f"/api/applications/{a}/no-conflict-statement", None, {"reviewer"}),
        ("POST", f"/api/applications/{a}/no-conflict-statement", None, {"reviewer"}),
        ("POST", f"/api/applications/{a}/conflict-declarations", {"reason": "x"},
         {"reviewer", "conflicted", "committee"}),
        ("GET", f"/api/users/{reviewer_id}/conflict-profile", None, {"admin", "reviewer"}),
        ("PUT", f"/api/users/{reviewer_id}/conflict-profile", {}, {"admin", "reviewer"}),
        ("GET", "/api/conflict-profiles/template", None, {"admin"}),
        ("POST", "/api/conflict-profiles/import", None, {"admin"}),
    ]


def test_every_role_is_refused_every_endpoint_it_must_not_reach(
        world: World, clients: dict[str, TestClient]) -> None:
    checked = 0
    for method, path, body, allowed in endpoints(world):
        for role in ROLES:
            if role in allowed:
                continue
            response = clients[role].request(method, path, json=body)
            assert response.status_code in (403, 404), (role, method, path, response.text)
            assert response.json()["detail"], (role, method, path)
            checked += 1
    assert checked > 200


def test_the_allowed_roles_do_reach_the_read_endpoints(
        world: World, clients: dict[str, TestClient]) -> None:
    for method, path, _body, allowed in endpoints(world):
        if method != "GET":
            continue
        for role in allowed:
            response = clients[role].get(path)
            assert response.status_code == 200, (role, path, response.text)


def test_a_conflicted_reviewer_gets_403_with_the_reason(world: World,
                                                        clients: dict[str, TestClient]) -> None:
    response = clients["conflicted"].get(f"/api/applications/{world.application_id}")
    assert response.status_code == 403
    assert "conflict of interest" in response.json()["detail"]
    listed = clients["conflicted"].get("/api/applications").json()
    assert world.application_id not in [a["id"] for a in listed]


def test_an_applicant_never_learns_of_another_organizations_application(
        world: World, clients: dict[str, TestClient]) -> None:
    client = clients["other_applicant"]
    assert client.get(f"/api/applications/{world.application_id}").status_code == 404
    assert client.get(f"/api/applications/{world.application_id + 999}").status_code == 404
    assert [a["id"] for a in client.get("/api/applications").json()] == [
        world.other_application_id]


def test_a_reviewer_lists_only_what_they_are_assigned(world: World,
                                                      clients: dict[str, TestClient]) -> None:
    listed = clients["reviewer"].get("/api/applications").json()
    assert [a["id"] for a in listed] == [world.application_id]
    assert "answers" in listed[0]  # the materials, for the review
    mine = clients["reviewer"].get("/api/assignments").json()
    assert {a["reviewer"] for a in mine} == {"专家一"} and mine[0]["is_leader"]


def test_committee_members_see_nothing_before_the_committee_stage(
        world: World, clients: dict[str, TestClient]) -> None:
    assert clients["committee"].get("/api/committee/applications").json() == []
    assert clients["committee"].get("/api/applications").json() == []
    results = clients["committee"].get(f"/api/cycles/{world.cycle_id}/results").json()
    assert results["classes"] == {}
