"""The restore drill: back up, restore into a fresh database, `mqa audit verify` passes
with the original key and checkpoints, and every table's row count matches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from mqa_workflow.audit import keys
from mqa_workflow.audit.checkpoints import take
from mqa_workflow.backup.service import row_counts
from mqa_workflow.cli import app
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.states.engine import advance
from tests import factories
from tests.services import own_postgresql_database

Mqa = Callable[..., str]


@pytest.fixture
def mqa_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Mqa]]:
    """`mqa` against a database URL and audit files of the test's choosing."""
    def on(url: str, audit: keys.AuditPlaces | None = None) -> Mqa:
        monkeypatch.setenv("MQA_DATABASE_URL", url)
        for name, value in (("MQA_AUDIT_KEY_FILE", audit and audit.key_file),
                            ("MQA_AUDIT_CHECKPOINT_DIR", audit and audit.checkpoint_dir)):
            if value:
                monkeypatch.setenv(name, str(value))
            else:
                monkeypatch.delenv(name, raising=False)
        get_settings.cache_clear()
        get_database.cache_clear()

        def invoke(*args: str, code: int = 0) -> str:
            result = CliRunner().invoke(app, list(args))
            assert result.exit_code == code, result.output
            return " ".join(result.output.split())
        return invoke

    yield on
    get_settings.cache_clear()
    get_database.cache_clear()


def _cycle_with_history(database: Database) -> keys.AuditPlaces:
    """Applications moved by the engine, a checkpoint taken: the office's database."""
    with database.session() as session:
        admin = factories.user(session)
        ids = [factories.application(session).id for _ in range(3)]
        for trigger in ("submit", "begin_eligibility_check"):
            for application_id in ids:
                advance(session, application_id, trigger, admin)
        take(session, "before the backup")
    return keys.places(database.url)


def _drill(mqa_on: Callable[..., Mqa], source: Database, target_url: str,
           backup_file: Path) -> None:
    original = _cycle_with_history(source)
    assert "backed up" in mqa_on(source.url)("db", "backup", str(backup_file))
    restored = mqa_on(target_url, original)
    assert "restored" in restored("db", "restore", str(backup_file))
    assert "audit trail intact: 6 record(s) in 3 chain(s)" in restored("audit", "verify")
    expected = row_counts(source.url)
    assert row_counts(target_url) == expected and expected["audit_records"] == 6
    refused = restored("db", "restore", str(backup_file), code=3)
    assert "the target database holds data" in refused and "pass --force" in refused
    restored("db", "restore", str(backup_file), "--force")
    assert row_counts(target_url) == expected
    # Without the original key the restored trail cannot be trusted, and says so.
    assert "the audit key" in mqa_on(target_url)("audit", "verify", code=1)


def test_the_restore_drill_on_sqlite(sqlite_database: Database, tmp_path: Path,
                                     mqa_on: Callable[..., Mqa]) -> None:
    _drill(mqa_on, sqlite_database, f"sqlite:///{tmp_path / 'restored.sqlite3'}",
           tmp_path / "backups" / "office.sqlite3")


@pytest.fixture
def fresh_postgresql(postgres_url: str) -> Iterator[str]:
    with own_postgresql_database(postgres_url, "restore") as url:
        yield url


@pytest.mark.postgres
def test_the_restore_drill_on_postgresql(pg_database: Database, fresh_postgresql: str,
                                         tmp_path: Path, mqa_on: Callable[..., Mqa]) -> None:
    upgrade(fresh_postgresql)  # a migrated, empty database: its tables are replaced
    _drill(mqa_on, pg_database, fresh_postgresql, tmp_path / "office.dump")
    # The restored trail still refuses TRUNCATE: the triggers came with it.
    with pytest.raises(Exception, match="append-only"), \
            create_engine(fresh_postgresql).begin() as connection:
        connection.execute(text("TRUNCATE audit_records"))


def test_a_backup_never_overwrites_a_file_and_restore_checks_what_it_reads(
        sqlite_database: Database, tmp_path: Path, mqa_on: Callable[..., Mqa]) -> None:
    existing = tmp_path / "exists.sqlite3"
    existing.write_text("keep me")
    mqa = mqa_on(sqlite_database.url)
    assert "already exists" in mqa("db", "backup", str(existing), code=2)
    assert existing.read_text() == "keep me"
    assert "is not a SQLite database file" in mqa("db", "restore", str(existing), code=2)
