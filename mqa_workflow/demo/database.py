"""The demo's database: created by the demo, marked, and only ever replaced if marked.

``mqa demo`` used to delete whatever file it was pointed at. Now it creates its
database itself and writes a :class:`DemoMarker` row; running it again replaces only a
database carrying that row. Anything else (a real office's database, a file that is
not a database at all, a server database with tables) is refused untouched.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from mqa_workflow.audit.keys import default_home
from mqa_workflow.db import Database, make_engine
from mqa_workflow.demo.models import DemoMarker
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.migrations.service import upgrade


class NotADemoDatabaseError(InvalidInputError):
    """The demo was pointed at a database it did not create."""


def prepare(url: str) -> None:
    """Make ``url`` a fresh demo database: create it, or replace the demo's own; refuse
    any other database with its contents untouched."""
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.exists():
        _set_aside_stale_audit_files(url)
    elif _has_tables(url):
        if not _is_demo_database(url):
            raise NotADemoDatabaseError(
                f"{sqlite_file or _shown(url)} is not a database `mqa demo` created (it has "
                "no demo marker): the demo never overwrites it. Point --database / "
                "--database-url at a new file or an empty database.")
        _remove(url, sqlite_file)
    else:
        _set_aside_stale_audit_files(url)
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        session.add(DemoMarker())
    database.engine.dispose()


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _inspect(url: str) -> tuple[Engine, list[str]]:
    engine = make_engine(url)
    try:
        return engine, inspect(engine).get_table_names()
    except DatabaseError as error:  # e.g. a file that is not a SQLite database
        engine.dispose()
        raise NotADemoDatabaseError(
            f"{_shown(url)} cannot be read as a database ({error.orig}); the demo leaves it "
            "alone. Point --database at a new file.") from None


def _has_tables(url: str) -> bool:
    engine, tables = _inspect(url)
    engine.dispose()
    return bool(tables)


def _is_demo_database(url: str) -> bool:
    engine, tables = _inspect(url)
    try:
        if DemoMarker.__tablename__ not in tables:
            return False
        with engine.connect() as connection:
            return connection.execute(select(DemoMarker.id).limit(1)).first() is not None
    finally:
        engine.dispose()


def _remove(url: str, sqlite_file: Path | None) -> None:
    """Delete the demo's own database and its audit key and checkpoints."""
    if sqlite_file is not None:
        for path in (sqlite_file, *(Path(f"{sqlite_file}{s}") for s in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    shutil.rmtree(default_home(url), ignore_errors=True)


def _set_aside_stale_audit_files(url: str) -> None:
    """A new database where an older one kept its audit key and checkpoints: keep them
    (they may be evidence) but out of the new chain's way."""
    home = default_home(url)
    if home.exists():
        home.rename(home.with_name(f"{home.name}.set-aside-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"))
