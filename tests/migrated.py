"""A migrated, empty SQLite database for a test, copied from one migrated per test run.

Running the whole Alembic chain costs a second or more per database (several on a busy
machine), and hundreds of tests start from an empty database at the head. The chain
is run once per process, into a template file; each test gets a byte-for-byte copy of
it: the same schema, triggers and (empty) tables as its own ``upgrade`` would make.
The migrations themselves are still run by the tests that are about them
(tests/migrations/, the ``mqa db upgrade`` tests).
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from functools import cache
from pathlib import Path

from mqa_workflow.migrations.service import upgrade


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mqa-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    template = folder / "template.sqlite3"
    upgrade(f"sqlite:///{template}")
    # The engine runs SQLite in WAL mode: fold the log into the file, so the one file
    # is the whole database and a copy of it is complete.
    connection = sqlite3.connect(template)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    return template


def migrated_sqlite(path: Path) -> str:
    """A copy of the migrated template at ``path`` (a new file); its SQLAlchemy URL."""
    if path.exists():
        raise FileExistsError(f"{path} exists: a migrated database is made in a new file")
    shutil.copyfile(_template(), path)
    return f"sqlite:///{path}"
