"""A schema fuzz of the OpenAPI document: generated requests never get a 5xx.

Schemathesis reads the app's own OpenAPI document and generates requests for every
operation, sent to the app in-process (ASGI), signed in as an administrator (who reaches the most
code) on a world with an application in review. Bounded so the run stays well
under two minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from starlette.testclient import TestClient

from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.web.app import create_app
from tests.e2e.world import PASSWORD, build

EXAMPLES = 30


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.sqlite3'}"
    upgrade(url)
    database = Database(url)
    world = build(database)
    app = create_app(database)
    with TestClient(app) as client:
        token = client.post("/api/auth/login", json={"email": world.emails["admin"],
                                                     "password": PASSWORD}).json()["token"]
    yield app, token
    database.engine.dispose()


def test_no_generated_request_gets_a_server_error(app_and_token: tuple[Any, str]) -> None:
    app, token = app_and_token
    # Signing out would end the fuzzing session; passwords are not worth fuzzing slowly.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app).exclude(
        path_regex="^/api/auth/(logout|password)$")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}")

        try:
            call()
        except AssertionError as failure:
            failures.append(str(failure))
    assert operations > 40
    assert not failures, "\n".join(failures)
