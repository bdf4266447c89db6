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
    ("POST", "/admin/cases/{application_id}/assign"): {"stage": "document_review"},
    ("POST", "/admin/cases/{application_id}/site-visit"): {"scheduled_on": "2026-09-01"},
    ("POST", "/applications/{application_id}/site-visit"): {"report": "现场"},
    ("POST", "/committee/{application_id}/vote"): {"choice": "grand"},
}

EXPECTED: dict[tuple[str, str], str] = {
}


def expected_cells() -> Iterator[tuple[str, str, str, int]]:
    for (method, route), row in EXPECTED.items():
        cells = dict(cell.split("=") for cell in row.split())
        assert set(cells) == set(ROLES), (method, route, set(ROLES) ^ set(cells))
        for role in ROLES:
            yield method, route, role, int(cells[role])


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
        writes = method not in SAFE and expected < 400
        body = filled(matrix_world, BODIES.get((method, route)))
        with matrix_world.client(role, fresh=writes) as client:
            got = send(client, method, matrix_world.fill(route), body)
        if got != expected:
            wrong.append(f"{method} {route} as {role}: {got}, expected {expected}")
    assert wrong == []
    with matrix_world.world.database.session() as session:  # refusals changed nothing
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == records_before
