"""``mqa db``: the schema, created and upgraded only through the migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from mqa_workflow.audit import keys
from mqa_workflow.backup import service as backups
from mqa_workflow.cli.console import console
from mqa_workflow.cli.support import domain_errors
from mqa_workflow.config import get_settings
from mqa_workflow.migrations import service

app = typer.Typer(help="The database: schema (Alembic migrations), backups and restores.",
                  no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or upgrade the schema of $MQA_DATABASE_URL to REVISION."""
    url = get_settings().database_url
    with domain_errors():
        service.upgrade(url, revision)
    console.print(f"database at revision {service.current(url)}")


@app.command()
def current() -> None:
    """Print the schema revision of the database."""
    console.print(service.current(get_settings().database_url) or "(empty database)")


@app.command()
def backup(file: Path = typer.Argument(..., help="New file for the backup.")) -> None:
    """Back up $MQA_DATABASE_URL into FILE (SQLite online backup, or pg_dump's custom
    format). The audit key is not in it: keep the key apart."""
    url = get_settings().database_url
    with domain_errors():
        copy = backups.backup(url, file)
    console.print(f"backed up {copy.total} row(s) in {len(copy.rows)} table(s) to {file}\n"
                  f"the audit key is not in the backup; keep {keys.places(url).key_file} "
                  "(and the checkpoints) apart from it", soft_wrap=True)


@app.command()
def restore(
    file: Path = typer.Argument(..., help="A backup made by `mqa db backup`."),
    force: bool = typer.Option(False, "--force",
                               help="Replace a target database that already holds data."),
) -> None:
    """Restore FILE into $MQA_DATABASE_URL, which must hold no data unless --force; then
    run `mqa audit verify` with the original audit key and checkpoints."""
    url = get_settings().database_url
    with domain_errors():
        copy = backups.restore(url, file, force=force)
    places = keys.places(url)
    console.print(f"restored {copy.total} row(s) in {len(copy.rows)} table(s) from {file}\n"
                  f"now verify it: `mqa audit verify`, with the original audit key at "
                  f"{places.key_file} (or MQA_AUDIT_KEY_FILE) and its checkpoints at "
                  f"{places.checkpoint_dir} (or MQA_AUDIT_CHECKPOINT_DIR)", soft_wrap=True)
