"""``mqa outbox``: the queued background work and its relay."""

from __future__ import annotations

import time

import typer

from mqa_workflow.cli.console import console
from mqa_workflow.cli.support import database, in_transaction, run_queued_work
from mqa_workflow.outbox.service import lag

app = typer.Typer(help="Queued background work (transactional outbox).", no_args_is_help=True)


@app.command("status")
def status() -> None:
    """How much work waits, since when, and how much has failed at least once."""
    figures = in_transaction(lag, dispatch=False)
    oldest = figures.oldest_created_at.isoformat() if figures.oldest_created_at else "—"
    console.print(f"pending {figures.pending}, oldest {oldest}, failing {figures.failing}")


@app.command("relay")
def relay(
    loop: bool = typer.Option(False, help="Keep relaying until interrupted."),
    interval: float = typer.Option(1.0, help="Seconds between rounds with --loop."),
) -> None:
    """Hand pending work to Celery (or run it here when no broker is configured)."""
    db = database()
    while True:
        run_queued_work(db)
        if not loop:
            break
        time.sleep(interval)
    console.print("outbox relayed")
