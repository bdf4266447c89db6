"""``mqa audit``: the hash-chained audit trail."""

from __future__ import annotations

import typer

from mqa_workflow.audit.service import verify_chain
from mqa_workflow.cli_support import in_transaction
from mqa_workflow.console import console, fail

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check every record's hash and link; report the first altered or reordered one."""
    checked, broken = in_transaction(verify_chain, dispatch=False)
    if broken:
        fail(f"audit chain broken after {checked} good record(s): {broken}", code=1)
    console.print(f"audit chain intact: {checked} record(s) verified")
