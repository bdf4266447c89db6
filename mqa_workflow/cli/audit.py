"""``mqa audit``: verify the audit trail and anchor its head outside the database."""

from __future__ import annotations

import typer

from mqa_workflow.audit import keys
from mqa_workflow.audit.checkpoints import take
from mqa_workflow.audit.verify import AuditReport, verify
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import database, domain_errors, in_transaction

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def verify_command() -> None:
    """Check every chain's links and keyed hashes, every application's state against its
    last audited transition, and the chains against the checkpoints; report every problem."""
    report: AuditReport = in_transaction(verify, dispatch=False)
    where = f"(key {report.key_file}; latest checkpoint {report.checkpoint or 'none yet'})"
    if report.problems:
        listed = "\n".join(f"  - {problem}" for problem in report.problems)
        fail(f"the audit trail does not verify: {len(report.problems)} problem(s) "
             f"{where}\n{listed}", code=1)
    console.print(f"audit trail intact: {report.verified} record(s) in {report.chains} "
                  f"chain(s) verified, every state matches its last transition, "
                  f"nothing missing since checkpoint of {report.checkpoint_records} "
                  f"record(s) {where}", soft_wrap=True)


@app.command("checkpoint")
def checkpoint_command(
    reason: str = typer.Option("manual checkpoint", help="Why (kept in the checkpoint)."),
) -> None:
    """Verify the trail, then anchor every chain's head in a new signed checkpoint file
    (the root it prints can be published)."""
    report: AuditReport = in_transaction(verify, dispatch=False)
    if report.problems:
        fail(f"not anchoring a trail that does not verify ({len(report.problems)} problem(s); "
             "run `mqa audit verify`)", code=1)
    checkpoint = in_transaction(lambda session: take(session, reason), dispatch=False)
    console.print(f"checkpoint {checkpoint.number}: {checkpoint.records} record(s) in "
                  f"{checkpoint.chains} chain(s), root {checkpoint.root}\n  {checkpoint.path}",
                  soft_wrap=True)


@app.command("where")
def where_command() -> None:
    """Where the audit key and the checkpoints of $MQA_DATABASE_URL are kept."""
    with domain_errors():
        places = keys.places(database().url)
    console.print(f"audit key: {places.key_file}"
                  f"{'' if places.key_file.exists() else ' (not created yet)'}\n"
                  f"checkpoints: {places.checkpoint_dir}", soft_wrap=True)

