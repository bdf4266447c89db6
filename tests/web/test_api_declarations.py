"""Every API route says what it answers: a response model (or, for files and pages, its
media type) and every refusal it can give, all with the one error body of web/errors.py.

The schema fuzz (tests/test_web_fuzz.py) checks the answers against these declarations;
this checks the declarations exist, route by route, without a database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import require_role, role_refusal
from mqa_workflow.errors import ForbiddenError
from mqa_workflow.translations.message import refusal
from mqa_workflow.web.api.schemas.common import ErrorRead
from mqa_workflow.web.app import create_app
from mqa_workflow.web.deps import admin_outside, signed_in
from mqa_workflow.web.errors import body

JSON_DEFAULT = "application/json"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    from mqa_workflow.db import Database

    # No request is made: the routes and the OpenAPI document need no tables.
    url = f"sqlite:///{tmp_path_factory.mktemp('routes') / 'routes.sqlite3'}"
    return create_app(Database(url))


def api_routes(app: FastAPI) -> Iterator[RouteContext]:
    """Every route under /api as served: FastAPI keeps an included router as one entry of
    ``app.routes``, with its prefix and ``responses`` merged into its routes on the way."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path.startswith("/api"):
            yield route


def calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from calls(sub)


def needs_sign_in(route: RouteContext) -> bool:
    return any(call in (signed_in, admin_outside) for call in calls(route.dependant))


def takes_input(route: RouteContext) -> bool:
    found = route.dependant
    return bool(found.path_params or found.query_params or found.body_params
                or any(d.path_params or d.query_params or d.body_params
                       for d in found.dependencies))


def test_there_are_api_routes_to_check(app: FastAPI) -> None:
    assert len(list(api_routes(app))) > 40


def test_every_api_route_declares_what_it_answers(app: FastAPI) -> None:
    missing = []
    for route in api_routes(app):
        success = str(route.status_code or 200)
        declared_file = {str(k): v for k, v in route.responses.items()}.get(success, {})
        if route.response_model is None and not declared_file.get("content"):
            missing.append(f"{sorted(route.methods)} {route.path}")
    assert not missing, "no response model nor declared media type:\n" + "\n".join(missing)


def test_every_api_route_declares_its_refusals(app: FastAPI) -> None:
    problems = []
    for route in api_routes(app):
        declared = {int(k): v for k, v in route.responses.items() if str(k).isdigit()}
        wanted = {503}  # admission control and a database away: any route
        if needs_sign_in(route):
            wanted.add(401)
        if takes_input(route):
            wanted.add(422)
        for status in sorted(wanted - declared.keys()):
            problems.append(f"{sorted(route.methods)} {route.path}: {status} not declared")
        for status, response in declared.items():
            if status >= 400 and response.get("model") is not ErrorRead:
                problems.append(f"{sorted(route.methods)} {route.path}: {status} is not "
                                "the shared error body")
    assert not problems, "\n".join(problems)


def test_the_openapi_document_lists_every_declared_status(app: FastAPI) -> None:
    document = app.openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]  # ours, not FastAPI's
    # every key the body can have: a refusal's adds its reading in the reader's language
    assert set(ErrorRead.model_json_schema()["properties"]) == set(
        body(refusal("the request is malformed"), [], "zh"))
    for route in api_routes(app):
        for method in route.methods:
            operation = document["paths"][route.path][method.lower()]
            for status in route.responses:
                answer = operation["responses"][str(status)]
                if int(status) >= 400:
                    # The refusals are JSON even where the success is a file or a page.
                    assert set(answer["content"]) == {JSON_DEFAULT}, (route.path, status)
                    assert answer["content"][JSON_DEFAULT]["schema"] == {
                        "$ref": "#/components/schemas/ErrorRead"}, (route.path, status)


def test_one_refusal_for_a_missing_role() -> None:
    reviewer = User(name="R", email="r@example.org", roles=[Role.REVIEWER.value])
    refusal = role_refusal(reviewer, Role.ADMINISTRATOR, Role.OPERATOR, doing="open this page")
    assert isinstance(refusal, ForbiddenError)
    assert refusal.message == ("r@example.org may not open this page: it needs the role "
                               "administrator or operator")
    assert require_role(reviewer, Role.OPERATOR, Role.REVIEWER) is reviewer
    with pytest.raises(ForbiddenError) as raised:
        require_role(reviewer, Role.COMMITTEE_MEMBER, doing="vote")
    assert raised.value.message == role_refusal(reviewer, Role.COMMITTEE_MEMBER,
                                                doing="vote").message
