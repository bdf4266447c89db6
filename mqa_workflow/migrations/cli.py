"""``mqa db``: the schema, created and upgraded only through the migrations."""

from __future__ import annotations

import typer

from mqa_workflow.cli_support import domain_errors
from mqa_workflow.config import get_settings
from mqa_workflow.console import console
from mqa_workflow.migrations import service

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


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
