"""Shared fixtures: a migrated database on SQLite and on the real PostgreSQL.

PostgreSQL tests use a database of their own (``mqa_test_PID``), created afresh for
each run on the server of ``MQA_TEST_POSTGRES_URL`` and dropped after it. Without
that variable they skip with a message, unless ``MQA_REQUIRE_SERVICES=1`` (CI),
when they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from typer.testing import CliRunner

from mqa_workflow.audit.keys import places as audit_places
from mqa_workflow.cli import app
from mqa_workflow.clock import set_clock
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.models import Base
from mqa_workflow.web.app import create_app
from tests.e2e.world import World, build, signed_in_clients
from tests.migrated import migrated_sqlite
from tests.openapi_cache import build_openapi_once
from tests.passwords import use_cheap_hashing
from tests.services import own_postgresql_database, settling, unavailable

POSTGRES_URL = os.environ.get("MQA_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("MQA_TEST_REDIS_URL", "")

use_cheap_hashing()  # argon2 at its lowest cost: see tests/passwords.py
build_openapi_once()  # one OpenAPI document per run: see tests/openapi_cache.py


def service_missing(what: str) -> NoReturn:
    unavailable(f"{what} is not configured; set it to run these tests against the real service")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test run's own (two runs on one server never collide)."""
    if not POSTGRES_URL:
        service_missing("MQA_TEST_POSTGRES_URL")
    with own_postgresql_database(POSTGRES_URL) as url:
        upgrade(url)
        yield url


def _empty_all(connection: Connection) -> None:
    """Delete every row and restart every id sequence a test drew from (a rolled-back
    insert leaves no row but moves its sequence): the state a fresh migration leaves.
    Only the tables holding rows are touched, with DELETE: on tables this small it is
    several times cheaper than TRUNCATE, which rewrites each table's files."""
    tables = [table.name for table in Base.metadata.sorted_tables]
    with_rows = connection.scalars(text(" UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT FROM {name})" for name in tables)))
    for name in with_rows:  # the foreign keys' triggers are off in a replica session
        connection.execute(text(f"DELETE FROM {name}"))
    used = connection.scalars(text(
        "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences "
        "WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
    for sequence in used:
        connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


def _truncate_all(database: Database) -> None:
    """Empty every table between tests, the audit trail's anchors included, and restart
    their ids. The audit trail refuses deletes; only a superuser's replica session
    skips its triggers."""
    with database.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        _empty_all(connection)
        # A tampering test may have switched the audit trail's triggers off.
        connection.execute(text("ALTER TABLE audit_records ENABLE TRIGGER USER"))
    shutil.rmtree(audit_places(database.url).checkpoint_dir, ignore_errors=True)


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    _truncate_all(database)
    yield database
    database.engine.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = Database(migrated_sqlite(tmp_path / "mqa.sqlite3"))
    yield database
    database.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The same test on the embedded default and on the real PostgreSQL."""
    name = "sqlite_database" if request.param == "sqlite" else "pg_database"
    return request.getfixturevalue(name)


@pytest.fixture(autouse=True)
def _wall_clock() -> Iterator[None]:
    yield
    set_clock(None)


@pytest.fixture
def mqa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run `mqa` commands against a fresh SQLite file, as the administrator by default."""
    monkeypatch.setenv("MQA_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("MQA_ACTOR", "admin@office.sz")
    monkeypatch.delenv("MQA_BROKER_URL", raising=False)
    get_settings.cache_clear()
    get_database.cache_clear()

    def invoke(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    yield invoke
    get_settings.cache_clear()
    get_database.cache_clear()


# --- the small award world of tests/e2e/world.py, driven through the HTTP API ----------

@pytest.fixture
def to_review() -> bool:
    """Whether the world's application has gone as far as review (its reviewers
    assigned); a module that needs only the people overrides this with False."""
    return True


@pytest.fixture
def world(sqlite_database: Database, to_review: bool) -> World:
    return build(sqlite_database, to_review=to_review)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """One API client of the world's, signed in as nobody."""
    with settling(TestClient(create_app(world.database))) as client:
        yield client


@pytest.fixture
def browser(world: World) -> Iterator[TestClient]:
    """The world's site as a browser reaches it: redirects are answers to look at, not
    to follow; signed in as nobody."""
    with settling(TestClient(create_app(world.database), follow_redirects=False)) as client:
        yield client


@pytest.fixture
def api(world: World) -> Iterator[dict[str, TestClient]]:
    """One API client per person of the world, each signed in with a bearer token."""
    with signed_in_clients(world) as signed_in:
        yield signed_in
