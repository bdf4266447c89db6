"""Back up and restore the whole database: SQLite's online backup for the embedded
default, pg_dump / pg_restore (custom format) for PostgreSQL.

A backup holds the database only. The audit key is deliberately not in it: whoever
holds a backup must not be able to forge the trail. Keep the key (and a copy of the
checkpoints) apart, and point ``MQA_AUDIT_KEY_FILE`` / ``MQA_AUDIT_CHECKPOINT_DIR`` at
them where the backup is restored.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from mqa_workflow.db import make_engine
from mqa_workflow.errors import ConflictError, InvalidInputError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
_NOT_DATA = {"alembic_version"}


class BackupError(InvalidInputError):
    """A backup or restore that could not be done; nothing was changed."""


@dataclass(frozen=True)
class Copy:
    path: Path
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the database (the schema's version table aside)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = sorted(set(inspect(connection).get_table_names()) - _NOT_DATA)
            return {name: int(connection.scalar(select(func.count()).select_from(table(name))))
                    for name in names}
    finally:
        engine.dispose()


def backup(url: str, target: Path) -> Copy:
    """Copy the database at ``url`` into the new file ``target`` (never overwritten)."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed into place: a failed backup leaves no file.
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        if _is_sqlite(url):
            _sqlite_copy(_sqlite_path(url, must_exist=True), Path(partial))
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], url)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    return Copy(target, row_counts(url))


def restore(url: str, source: Path, *, force: bool = False) -> Copy:
    """Replace the database at ``url`` with the backup ``source``; refuses a target that
    holds data unless ``force``."""
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    header = source.read_bytes()[:16]
    sqlite = _is_sqlite(url)
    expected = SQLITE_HEADER if sqlite else PG_DUMP_HEADER
    if not header.startswith(expected):
        kind = "a SQLite database file" if sqlite else "a pg_dump archive (mqa db backup)"
        raise BackupError(f"{source} is not {kind}, which this database needs")
    if not force and (_exists(url) and (held := {t: n for t, n in row_counts(url).items()
                                                 if n})):
        raise ConflictError(
            f"the target database holds data ({sum(held.values())} row(s) in {len(held)} "
            "table(s)); restore into an empty database, or pass --force to replace it",
            [f"{name}: {count} row(s)" for name, count in sorted(held.items())][:10])
    if sqlite:
        _sqlite_copy(source, _sqlite_path(url, must_exist=False))
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error"], url, str(source))
    return Copy(source, row_counts(url))


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str, *, must_exist: bool) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    path = Path(database)
    if must_exist and not path.is_file():
        raise BackupError(f"no database file {path}")
    return path


def _exists(url: str) -> bool:
    return not _is_sqlite(url) or _sqlite_path(url, must_exist=False).is_file()


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write."""
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def _run(command: list[str], url: str, *arguments: str) -> None:
    parsed = make_url(url)
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (the PostgreSQL client tools are needed)")
    run = subprocess.run([*command, *_connection(parsed), *arguments], env=_environment(parsed),
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise BackupError(f"{tool} failed: {run.stderr.strip() or run.stdout.strip()}")


def _connection(url: URL) -> list[str]:
    options = [f"--dbname={url.database}"]
    if url.host:
        options.append(f"--host={url.host}")
    if url.port:
        options.append(f"--port={url.port}")
    if url.username:
        options.append(f"--username={url.username}")
    return options


def _environment(url: URL) -> dict[str, str]:
    # The password goes by the environment, never on a command line others can list.
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return environment
