"""A schema fuzz of the OpenAPI document: generated requests never get a 5xx, and every
answer is one the document declares (its status, its media type, its body's schema).

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
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from mqa_workflow.db import Database
from mqa_workflow.web.app import create_app
from tests.e2e.world import PASSWORD, build
from tests.migrated import migrated_sqlite

EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    url = migrated_sqlite(Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.sqlite3')
    database = Database(url)
    world = build(database)
    app = create_app(database)
    with TestClient(app) as client:
        token = client.post("/api/auth/login", json={"email": world.emails["admin"],
                                                     "password": PASSWORD}).json()["token"]
    yield app, token
    database.engine.dispose()


def test_every_answer_conforms_to_the_schema(app_and_token: tuple[Any, str]) -> None:
    app, token = app_and_token
    # Signing out (here, or everywhere) would end the fuzzing session, and so would setting
    # the administrator's password (user ids are small numbers); passwords are not worth
    # fuzzing slowly. Left in, every later operation answered only 401.
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app).exclude(
        path_regex="^/api/auth/(logout|logout-everywhere|password)$").exclude(
        path_regex="^/api/users/{user_id}/password$")
    headers = {"Authorization": f"Bearer {token}"}
    failures: dict[tuple[str, str], str] = {}  # (operation, what failed) -> its first case
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as failed:
                found = failed.exceptions if isinstance(failed, FailureGroup) else (failed,)
                for failure in found:
                    # Collected, not raised: every operation and every kind of failure is
                    # reported in one run, each with the first case that showed it.
                    failures.setdefault((case.operation.label, failure.title), (
                        f"{case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{failure.title}: {failure.message[:400]}"))

        call()
    assert operations > 40
    assert not failures, "\n".join(failures.values())
