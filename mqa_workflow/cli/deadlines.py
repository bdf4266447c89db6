"""``mqa deadlines``: open work with its deadline, and the scan that sends reminders."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from mqa_workflow.cli.console import OutputFormat, console, fail, print_rows
from mqa_workflow.cli.support import format_option, in_transaction
from mqa_workflow.clock import OFFICE_TZ, now, office_time
from mqa_workflow.deadlines.service import DeadlineRow, list_deadlines, scan

app = typer.Typer(help="Deadlines: what is due, what is overdue, reminders.",
                  no_args_is_help=True)


def _moment(text: str | None) -> datetime | None:
    """An ISO moment; without a zone it is Shenzhen time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"not an ISO date-time: {text!r} (e.g. 2026-09-28T09:00)", code=2)
    return moment if moment.tzinfo else moment.replace(tzinfo=OFFICE_TZ)


def _left(row: DeadlineRow, at: datetime) -> str:
    delta = row.work.due_at - at if not row.overdue else at - row.work.due_at
    days, hours = delta.days, delta.seconds // 3600
    return f"overdue {days}d {hours}h" if row.overdue else f"in {days}d {hours}h"


@app.command("list")
def list_command(
    overdue: bool = typer.Option(False, "--overdue", help="Only work past its deadline."),
    cycle: int | None = typer.Option(None, help="Only this cycle."),
    at: str | None = typer.Option(None, help="As of this moment (ISO; default now)."),
    output: OutputFormat = format_option(),
) -> None:
    """Every open piece of work with a deadline: who, what, when, notices sent."""
    moment = _moment(at) or now()
    rows = in_transaction(lambda s: list_deadlines(s, moment, overdue, cycle), dispatch=False)
    if output is not OutputFormat.TABLE:
        print_rows([{"application": row.work.application.id, "work": row.work.kind,
                     "who": ", ".join(user.email for user in row.work.responsible),
                     "due_beijing": office_time(row.work.due_at),
                     "overdue": row.overdue, "status": _left(row, moment),
                     "notices": ", ".join(row.notices)} for row in rows],
                   ("application", "work", "who", "due_beijing", "overdue", "status",
                    "notices"), output)
        return
    table = Table("app", "work", "who")
    for heading in ("due (Shenzhen)", "status"):
        table.add_column(heading, no_wrap=True)
    table.add_column("notices sent")
    for row in rows:
        work = row.work
        table.add_row(str(work.application.id), work.kind,
                      escape(", ".join(user.name for user in work.responsible)),
                      work.due_at.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M"),
                      _left(row, moment), ", ".join(row.notices) or "—")
    console.print(table)
    console.print(f"{len(rows)} open piece(s) of work"
                  + (" past the deadline" if overdue else ""))


@app.command("scan")
def scan_command() -> None:
    """Send the reminders, overdue notices and escalations due now (beat runs this)."""

    def work(session: Session) -> str:
        result = scan(session)
        sent = ", ".join(f"{event} {count}" for event, count in sorted(result.sent.items()))
        return (f"sent: {sent or 'nothing'}; already sent before: {result.already_sent}; "
                f"nobody to tell yet: {result.nobody_to_tell}")

    console.print(in_transaction(work))
