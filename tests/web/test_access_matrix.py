"""Who may reach what: every route × nobody signed in and every role, in one table.

The world (``tests/access_matrix.py``): application A of organization A is in document
review, led by ``reviewer`` with ``reviewer2``; ``conflicted`` has a conflict of
interest with A; ``recused`` is a committee member recused from A; ``other_applicant``
is the contact of organization B, whose application is a draft. Each cell of
``EXPECTED`` is the status the person gets; a change of access, or a route added
without a row here, fails this test.

Reading the table: 401 nobody signed in (API), 303 a page sending you to sign in (or,
after a form, to the next page), 403 a role or relation refused, 404 a thing you may not
know of, 409/422 reached but refused by the award's rules or the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.web.app import create_app
from tests.access_matrix import (
    ROLES,
    SAFE,
    MatrixWorld,
    api_routes,
    build_matrix_world,
    page_routes,
    send,
)
from tests.e2e.world import PASSWORD

# The body each write is sent with (JSON for the API, form fields for the pages).
BODIES: dict[tuple[str, str], object] = {
    ("POST", "/api/auth/login"): {"email": "nobody@x.cn", "password": "wrong-password!"},
    ("POST", "/api/auth/password"): {"current_password": PASSWORD,
                                     "new_password": "another-long-passphrase-7"},
    ("POST", "/api/users"): {"name": "新人", "email": "new@office.sz", "roles": ["reviewer"]},
    ("PUT", "/api/users/{user_id}/password"): {"password": "a-long-new-passphrase-42"},
    ("POST", "/api/cycles"): {"year": 2027},
    ("POST", "/api/applicants"): {"name": "深圳丙公司", "uscc": "x", "industry": "i",
                                  "district": "d"},
    ("POST", "/api/applications"): {"cycle_id": "{cycle_id}", "award_class": "economic",
                                    "organization_id": "{organization_id}"},
    ("PUT", "/api/applications/{application_id}/answers"): {"profile": "组织概况"},
    ("POST", "/api/applications/{application_id}/transitions"): {"trigger": "withdraw",
                                                                 "reason": "撤回"},
    ("POST", "/api/transitions/bulk"): {"cycle_id": "{cycle_id}", "trigger": "shortlist"},
    ("POST", "/api/applications/{application_id}/assignments"): {"stage": "document_review"},
    ("POST", "/api/assignments/{assignment_id}/decline"): {"reason": "出差"},
    ("PUT", "/api/assignments/{assignment_id}/sheet"): {"scores": {"1.1": 50}},
    ("POST", "/api/applications/{application_id}/consensus/{stage}"): {"decisions": {}},
    ("PUT", "/api/applications/{application_id}/consensus/{stage}/feedback"): {
        "summary": "总体评价"},
    ("POST", "/applications/{application_id}/consensus/{stage}/feedback"): {
        "summary": "总体评价"},
    ("PUT", "/api/applications/{application_id}/site-visit"): {"scheduled_on": "2026-09-01"},
    ("POST", "/api/applications/{application_id}/site-visit/report"): {"report": "现场"},
    ("POST", "/api/applications/{application_id}/votes"): {"choice": "grand"},
    ("POST", "/api/operations/emails/retry"): {},
    ("POST", "/api/notifications/read"): {},
    ("POST", "/login"): {"email": "nobody@x.cn", "password": "wrong-password!"},
    ("POST", "/applications"): {"cycle_id": "{cycle_id}", "award_class": "economic"},
    ("POST", "/applications/{application_id}/answers"): {"profile": "组织概况"},
    ("POST", "/applications/{application_id}/advance"): {"trigger": "withdraw",
                                                        "reason": "撤回"},
    ("POST", "/assignments/{assignment_id}"): {"score_1.1": "50", "action": "save"},
    ("POST", "/admin/cycles/{cycle_id}/bulk"): {"trigger": "shortlist", "dry_run": "on"},
    ("POST", "/admin/cycles/{cycle_id}/candidates"): {"award_class": "economic"},
    ("POST", "/admin/cycles/{cycle_id}/notice/{application_id}/objections"): {
        "filed_by": "市民", "grounds": "异议", "evidence": "证据"},
    ("POST", "/admin/objections/{objection_id}/resolve"): {"verdict": "dismiss",
                                                        "reason": "不成立"},
    ("POST", "/admin/people/{user_id}/pool"): {"classes": "economic", "capacity": "8"},
    ("POST", "/admin/people/{user_id}/roles"): {"roles": "reviewer"},
    ("POST", "/admin/cases/{application_id}/assign"): {"stage": "document_review"},
    ("POST", "/admin/cases/{application_id}/site-visit"): {"scheduled_on": "2026-09-01"},
    ("POST", "/applications/{application_id}/site-visit"): {"report": "现场"},
    ("POST", "/committee/{application_id}/vote"): {"choice": "grand"},
    ("PUT", "/api/users/{user_id}/conflict-profile"): {"industry": "电子信息"},
    ("POST", "/api/applications/{application_id}/conflict-declarations"): {
        "reason": "近亲属在该单位任职"},
    ("POST", "/assignments/{assignment_id}/declare-conflict"): {"reason": "近亲属在该单位任职"},
    ("POST", "/assignments/{assignment_id}/decline"): {"reason": "出差"},
    ("POST", "/api/users/sign-in-locks/unlock"): {"email": "r2@pool.cn"},
    ("POST", "/sign-in-locks/unlock"): {"email": "r2@pool.cn"},
    ("POST", "/account/password"): {"current_password": PASSWORD,
                                    "new_password": "another-long-passphrase-7"},
}

# One answer per column, in the order of ROLES:
#   anonymous admin applicant other_applicant reviewer conflicted committee recused operator
# (applicant: organization A's contact; other_applicant: B's; reviewer: leads A's team;
# conflicted: a reviewer with a conflict on A; recused: a committee member recused from A).
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/"): "303 303 303 303 303 303 303 303 303",
    ("POST", "/account/logout-everywhere"): "303 303 303 303 303 303 303 303 303",
    ("POST", "/account/password"): "303 200 200 200 200 200 200 200 200",
    ("GET", "/account/sessions"): "303 200 200 200 200 200 200 200 200",
    ("POST", "/account/sessions/{session_id}/end"): "303 404 303 404 404 404 404 404 404",
    ("GET", "/admin"): "303 200 403 403 403 403 403 403 403",
    ("GET", "/admin/cases/{application_id}"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cases/{application_id}/assign"): "303 303 403 403 403 403 403 403 403",
    ("POST", "/admin/cases/{application_id}/site-visit"): "303 409 403 403 403 403 403 403 403",
    ("GET", "/admin/cycle-setup/new"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cycle-setup/new"): "303 422 403 403 403 403 403 403 403",
    ("GET", "/admin/cycle-setup/{cycle_id}"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cycle-setup/{cycle_id}"): "303 422 403 403 403 403 403 403 403",
    ("GET", "/admin/people"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/people/invite"): "303 422 403 403 403 403 403 403 403",
    ("POST", "/admin/people/import"): "303 422 403 403 403 403 403 403 403",
    ("POST", "/admin/people/import/apply"): "303 422 403 403 403 403 403 403 403",
    ("GET", "/admin/people/templates/{kind}"): "303 200 403 403 403 403 403 403 403",
    ("GET", "/admin/people/{user_id}"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/people/{user_id}/invite"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/people/{user_id}/pool"): "303 303 403 403 403 403 403 403 403",
    ("POST", "/admin/people/{user_id}/roles"): "303 303 403 403 403 403 403 403 403",
    ("GET", "/invite/{token}"): "404 404 404 404 404 404 404 404 404",
    ("POST", "/invite/{token}"): "404 404 404 404 404 404 404 404 404",
    ("GET", "/admin/conflicts"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/conflicts/import"): "303 422 403 403 403 403 403 403 403",
    ("GET", "/admin/conflicts/{user_id}"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/conflicts/{user_id}"): "303 303 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}"): "303 200 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/bulk"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/bulk"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/release-results"): "303 409 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/results"): "303 200 403 403 403 403 200 200 403",
    # the Shenzhen review stages: A is past the eligibility check; the cycle runs neither
    # the defence nor the social evaluation (404: not a stage of its procedure)
    ("GET", "/admin/cycles/{cycle_id}/eligibility"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/eligibility/import"): "303 422 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/eligibility/import/apply"):
        "303 422 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/eligibility/{application_id}"):
        "303 200 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/eligibility/{application_id}/check"):
        "303 409 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/eligibility/{application_id}/decide"):
        "303 422 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/defence"): "303 404 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/defence/{application_id}"):
        "303 404 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/social"): "303 404 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/social/{application_id}"):
        "303 404 403 403 403 403 403 403 403",
    # the Shenzhen outcome stages: the world's plain cycle runs no selection or notice (404,
    # as for the review stages: not a page of its procedure)
    ("GET", "/admin/cycles/{cycle_id}/candidates"): "303 404 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/candidates"): "303 404 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/notice"): "303 404 403 403 403 403 403 403 403",
    ("POST", "/admin/cycles/{cycle_id}/notice/{application_id}/objections"):
        "303 404 403 403 403 403 403 403 403",
    ("POST", "/admin/objections/{objection_id}/resolve"): "303 404 403 403 403 403 403 403 403",
    ("GET", "/admin/cycles/{cycle_id}/fairness"): "303 200 403 403 403 403 403 403 403",
    ("GET", "/api/applicants"): "401 200 403 403 403 403 403 403 403",
    ("POST", "/api/applicants"): "401 422 403 403 403 403 403 403 403",
    ("GET", "/api/applicants/{organization_id}"): "401 200 200 404 403 403 403 403 403",
    ("GET", "/api/applications"): "401 200 200 200 200 200 200 200 200",
    ("POST", "/api/applications"): "401 409 409 403 403 403 403 403 403",
    ("GET", "/api/applications/{application_id}"): "401 200 200 404 403 403 403 403 403",
    ("PUT", "/api/applications/{application_id}/answers"): "401 409 409 404 403 403 403 403 403",
    ("POST", "/api/applications/{application_id}/assignments"):
        "401 200 403 403 403 403 403 403 403",
    ("POST", "/api/applications/{application_id}/conflict-declarations"):
        "401 403 403 403 201 201 201 409 403",
    ("GET", "/api/applications/{application_id}/consensus/{stage}"):
        "401 200 403 404 200 403 403 403 403",
    ("POST", "/api/applications/{application_id}/consensus/{stage}"):
        "401 403 403 403 409 403 403 403 403",
    ("GET", "/api/applications/{application_id}/documents"): "401 200 200 404 403 403 403 403 403",
    ("POST", "/api/applications/{application_id}/documents"): "401 409 409 404 403 403 403 403 403",
    # the agreed feedback: the leader, over a recorded consensus (none yet here: 409)
    ("PUT", "/api/applications/{application_id}/consensus/{stage}/feedback"):
        "401 403 403 403 409 403 403 403 403",
    ("GET", "/api/applications/{application_id}/feedback"): "401 200 403 404 403 403 403 403 403",
    ("GET", "/api/applications/{application_id}/feedback.pdf"):
        "401 200 403 404 403 403 403 403 403",
    ("GET", "/api/applications/{application_id}/history"): "401 200 200 404 403 403 403 403 403",
    ("GET", "/api/applications/{application_id}/no-conflict-statement"):
        "401 403 403 403 200 403 403 403 403",
    ("POST", "/api/applications/{application_id}/no-conflict-statement"):
        "401 403 403 403 201 403 403 403 403",
    ("GET", "/api/applications/{application_id}/site-visit"): "401 200 403 404 403 403 403 403 403",
    ("PUT", "/api/applications/{application_id}/site-visit"): "401 409 403 403 403 403 403 403 403",
    ("POST", "/api/applications/{application_id}/site-visit/report"):
        "401 403 403 403 403 403 403 403 403",
    ("GET", "/api/applications/{application_id}/tally"): "401 200 403 403 403 403 403 403 403",
    ("POST", "/api/applications/{application_id}/transitions"):
        "401 200 200 404 403 403 403 403 403",
    ("POST", "/api/applications/{application_id}/votes"): "401 403 403 403 403 403 403 403 403",
    ("GET", "/api/applications/{application_id}/waiting-for"):
        "401 200 403 403 403 403 403 403 403",
    ("GET", "/api/assignments"): "401 200 403 403 200 200 403 403 403",
    ("POST", "/api/assignments/{assignment_id}/decline"): "401 403 403 403 200 403 403 403 403",
    ("GET", "/api/assignments/{assignment_id}/sheet"): "401 200 403 403 403 403 403 403 403",
    ("PUT", "/api/assignments/{assignment_id}/sheet"): "401 403 403 403 403 403 403 403 403",
    ("POST", "/api/auth/login"): "401 401 401 401 401 401 401 401 401",
    ("POST", "/api/auth/logout"): "401 200 200 200 200 200 200 200 200",
    ("POST", "/api/auth/logout-everywhere"): "401 200 200 200 200 200 200 200 200",
    ("GET", "/api/auth/me"): "401 200 200 200 200 200 200 200 200",
    ("POST", "/api/auth/password"): "401 200 200 200 200 200 200 200 200",
    ("GET", "/api/auth/sessions"): "401 200 200 200 200 200 200 200 200",
    ("DELETE", "/api/auth/sessions/{session_id}"): "401 404 200 404 404 404 404 404 404",
    ("GET", "/api/committee/applications"): "401 403 403 403 403 403 200 200 403",
    ("POST", "/api/conflict-profiles/import"): "401 422 403 403 403 403 403 403 403",
    ("GET", "/api/conflict-profiles/template"): "401 200 403 403 403 403 403 403 403",
    ("GET", "/api/cycles"): "401 200 200 200 200 200 200 200 200",
    ("POST", "/api/cycles"): "401 201 403 403 403 403 403 403 403",
    ("GET", "/api/cycles/{cycle_id}"): "401 200 200 200 200 200 200 200 200",
    ("GET", "/api/cycles/{cycle_id}/board"): "401 200 403 403 403 403 403 403 403",
    ("GET", "/api/cycles/{cycle_id}/export"): "401 200 403 403 403 403 403 403 403",
    ("POST", "/api/cycles/{cycle_id}/release-results"): "401 409 403 403 403 403 403 403 403",
    ("GET", "/api/cycles/{cycle_id}/results"): "401 200 403 403 403 403 200 200 403",
    ("GET", "/api/documents/{document_id}"): "401 200 200 404 403 403 403 403 403",
    ("GET", "/api/notifications"): "401 200 200 200 200 200 200 200 200",
    ("POST", "/api/notifications/read"): "401 200 200 200 200 200 200 200 200",
    ("GET", "/api/notifications/{notification_id}"): "401 404 200 404 404 404 404 404 404",
    ("GET", "/api/operations"): "401 200 403 403 403 403 403 403 200",
    ("POST", "/api/operations/emails/retry"): "401 200 403 403 403 403 403 403 200",
    ("POST", "/api/operations/tasks/{message_id}/retry"): "401 404 403 403 403 403 403 403 404",
    ("GET", "/api/standards"): "200 200 200 200 200 200 200 200 200",
    ("GET", "/api/standards/{class_id}"): "200 200 200 200 200 200 200 200 200",
    ("POST", "/api/transitions/bulk"): "401 200 403 403 403 403 403 403 403",
    ("GET", "/api/users"): "401 200 403 403 403 403 403 403 403",
    ("POST", "/api/users"): "401 201 403 403 403 403 403 403 403",
    ("GET", "/api/users/sign-in-locks"): "401 200 403 403 403 403 403 403 403",
    ("POST", "/api/users/sign-in-locks/unlock"): "401 200 403 403 403 403 403 403 403",
    ("GET", "/api/users/{user_id}/conflict-profile"): "401 200 403 403 200 403 403 403 403",
    ("PUT", "/api/users/{user_id}/conflict-profile"): "401 200 403 403 200 403 403 403 403",
    ("PUT", "/api/users/{user_id}/password"): "401 200 403 403 403 403 403 403 403",
    ("GET", "/applications"): "303 200 200 200 200 200 200 200 200",
    ("POST", "/applications"): "303 403 409 409 403 403 403 403 403",
    ("GET", "/applications/{application_id}"): "303 200 200 404 403 403 403 403 403",
    ("POST", "/applications/{application_id}/advance"): "303 303 303 404 403 403 403 403 403",
    ("POST", "/applications/{application_id}/answers"): "303 409 409 404 403 403 403 403 403",
    ("GET", "/applications/{application_id}/consensus/{stage}"):
        "303 200 403 404 200 403 403 403 403",
    ("POST", "/applications/{application_id}/consensus/{stage}"):
        "303 403 403 403 403 403 403 403 403",
    ("POST", "/applications/{application_id}/documents"): "303 409 409 404 403 403 403 403 403",
    ("POST", "/applications/{application_id}/consensus/{stage}/feedback"):
        "303 403 403 403 403 403 403 403 403",
    ("GET", "/applications/{application_id}/feedback"): "303 200 403 404 403 403 403 403 403",
    ("GET", "/applications/{application_id}/feedback.pdf"): "303 200 403 404 403 403 403 403 403",
    ("GET", "/applications/{application_id}/site-visit"): "303 200 403 404 403 403 403 403 403",
    ("POST", "/applications/{application_id}/site-visit"): "303 403 403 403 403 403 403 403 403",
    ("GET", "/assignments/{assignment_id}"): "303 200 403 403 200 403 403 403 403",
    # the score sheet's side frame: the documents once the no-conflict statement is confirmed
    ("GET", "/assignments/{assignment_id}/documents/{document_id}"):
        "303 200 403 403 403 403 403 403 403",
    ("POST", "/assignments/{assignment_id}"): "303 403 403 403 403 403 403 403 403",
    ("POST", "/assignments/{assignment_id}/declare-conflict"):
        "303 403 403 403 303 403 403 403 403",
    ("POST", "/assignments/{assignment_id}/decline"): "303 403 403 403 303 403 403 403 403",
    ("POST", "/assignments/{assignment_id}/statement"): "303 403 403 403 303 403 403 403 403",
    ("GET", "/committee"): "303 403 403 403 403 403 200 200 403",
    ("GET", "/committee/{application_id}"): "303 403 403 403 403 403 403 403 403",
    ("POST", "/committee/{application_id}/vote"): "303 403 403 403 403 403 403 403 403",
    ("GET", "/inbox"): "303 200 200 200 200 200 200 200 200",
    ("POST", "/inbox/read"): "303 303 303 303 303 303 303 303 303",
    ("GET", "/lang/{code}"): "303 303 303 303 303 303 303 303 303",
    ("GET", "/login"): "200 200 200 200 200 200 200 200 200",
    ("POST", "/login"): "401 401 401 401 401 401 401 401 401",
    ("POST", "/logout"): "303 303 303 303 303 303 303 303 303",
    ("GET", "/ops"): "303 200 403 403 403 403 403 403 200",
    ("POST", "/ops/emails/retry"): "303 303 403 403 403 403 403 403 303",
    ("POST", "/ops/tasks/{message_id}/retry"): "303 404 403 403 403 403 403 403 404",
    ("GET", "/sign-in-locks"): "303 200 403 403 403 403 403 403 403",
    ("POST", "/sign-in-locks/unlock"): "303 303 403 403 403 403 403 403 403",
    ("GET", "/tasks"): "303 403 403 403 200 200 403 403 403",
}


SIGN_IN = {("POST", "/api/auth/login"), ("POST", "/login")}


def expected_cells() -> Iterator[tuple[str, str, str, int]]:
    for (method, route), row in EXPECTED.items():
        cells = row.split()
        assert len(cells) == len(ROLES), (method, route, "one answer per column")
        for role, cell in zip(ROLES, cells, strict=True):
            yield method, route, role, int(cell)


@pytest.fixture(scope="module")
def matrix_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatrixWorld]:
    world = build_matrix_world(Path(tmp_path_factory.mktemp("matrix")))
    yield world
    world.close()


def filled(world: MatrixWorld, value: object) -> object:
    """A body with the world's ids in place of ``{name}`` (an id alone stays a number)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world.ids[value[1:-1]]
    if isinstance(value, str):
        return world.fill(value)
    if isinstance(value, dict):
        return {k: filled(world, v) for k, v in value.items()}
    return value


def test_every_route_has_a_row_in_the_table(matrix_world: MatrixWorld) -> None:
    routes = api_routes(create_app(matrix_world.world.database)) | page_routes()
    assert routes - set(EXPECTED) == set(), "routes missing from EXPECTED"
    assert set(EXPECTED) - routes == set(), "rows of EXPECTED for routes that do not exist"


def test_every_person_gets_the_expected_answer_on_every_route(
        matrix_world: MatrixWorld) -> None:
    with matrix_world.world.database.session() as session:
        records_before = session.scalar(select(func.count()).select_from(AuditRecord))
    wrong = []
    for method, route, role, expected in expected_cells():
        # A failed sign-in writes too: it counts towards the account's throttle.
        writes = method not in SAFE and (expected < 400 or (method, route) in SIGN_IN)
        body = filled(matrix_world, BODIES.get((method, route)))
        with matrix_world.client(role, fresh=writes) as client:
            got = send(client, method, matrix_world.fill(route), body)
        if got != expected:
            wrong.append(f"{method} {route} as {role}: {got}, expected {expected}")
    assert wrong == []
    with matrix_world.world.database.session() as session:  # refusals changed nothing
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == records_before
