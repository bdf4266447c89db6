"""``mqa notify`` (templates, e-mail delivery) and ``mqa inbox`` (a person's notices)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.cli.console import OutputFormat, console, fail, print_rows
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    database,
    domain_errors,
    format_option,
    in_transaction,
)
from mqa_workflow.clock import OFFICE_TZ
from mqa_workflow.notifications.delivery import deliver_due, retry_failed
from mqa_workflow.notifications.inbox import inbox as inbox_of
from mqa_workflow.notifications.inbox import mark_read, read_notice, unread_count
from mqa_workflow.notifications.models import Channel, Delivery, DeliveryStatus
from mqa_workflow.notifications.rendering import EVENTS, render
from mqa_workflow.notifications.samples import SAMPLES
from mqa_workflow.permissions import may_read_inbox

app = typer.Typer(help="Notices: preview templates, send due e-mails, retry failed ones.",
                  no_args_is_help=True)


@app.command("preview")
def preview(
    event: str = typer.Argument(..., help=f"One of: {', '.join(EVENTS)}."),
    language: str = typer.Option("zh", "--language", "-l", help="zh or en."),
    html: bool = typer.Option(False, "--html", help="Print the HTML instead of the text."),
) -> None:
    """Render EVENT's template with sample data, as a recipient would read it."""
    if event not in EVENTS:
        fail(f"unknown event {event!r}; the events are: {', '.join(EVENTS)}", code=2)
    try:
        rendered = render(event, language, SAMPLES[event])
    except KeyError as error:
        fail(str(error.args[0]), code=2)
    console.print(f"Subject: {escape(rendered.subject)}\n", highlight=False)
    console.print(escape(rendered.html if html else rendered.text), highlight=False)


@app.command("deliver")
def deliver(actor: str | None = actor_option()) -> None:
    """Send every e-mail that is due now (beat does this every minute)."""
    operator = acting(actor, Role.OPERATOR, Role.ADMINISTRATOR, doing="send e-mails")
    in_transaction(operator, dispatch=False)
    with domain_errors():
        run = deliver_due(database())
    console.print(f"sent {run.sent}, retrying later {run.retrying}, given up {run.failed}"
                  + (f" (last error: {escape(run.last_error)})" if run.last_error else ""))


@app.command("failed")
def failed(output: OutputFormat = format_option()) -> None:
    """List e-mails that were given up after their last attempt."""

    def work(session: Session) -> list[dict[str, object]]:
        rows = session.scalars(select(Delivery).where(
            Delivery.channel == Channel.EMAIL, Delivery.status == DeliveryStatus.FAILED)
            .order_by(Delivery.id))
        return [{"delivery": d.id, "event": d.notification.event,
                 "subject": d.notification.subject, "attempts": d.attempts,
                 "last_error": d.last_error} for d in rows]

    print_rows(in_transaction(work, dispatch=False),
               ("delivery", "event", "subject", "attempts", "last_error"), output)


@app.command("retry")
def retry(delivery_ids: list[int] = typer.Argument(None, help="Deliveries (default: all)."),
          actor: str | None = actor_option()) -> None:
    """Put failed e-mails back in the queue, e.g. after the mail server is fixed."""
    operator = acting(actor, Role.OPERATOR, Role.ADMINISTRATOR, doing="retry e-mails")
    count = in_transaction(lambda session: retry_failed(session, delivery_ids or None),
                           dispatch=False, check=operator)
    console.print(f"{count} e-mail(s) queued again")


def inbox(
    user: str = typer.Argument(..., help="The person: e-mail address or id."),
    unread: bool = typer.Option(False, "--unread", help="Only unread notices."),
    show: int | None = typer.Option(None, "--show", help="Print one notice (marks it read)."),
    read: list[int] = typer.Option(None, "--read", help="Mark this notice read; repeatable."),
    read_all: bool = typer.Option(False, "--read-all", help="Mark every notice read."),
    actor: str | None = actor_option(),
) -> None:
    """A person's in-app inbox: newest first, unread marked with •. Your own; the office
    (administrators, operators) may read anyone's."""
    who = acting(actor)

    def work(session: Session) -> None:
        person = get_user(session, user)
        may_read_inbox(who(session), person)
        if show is not None:
            notice = read_notice(session, person, show)
            console.print(f"[bold]{escape(notice.subject)}[/]\n\n{escape(notice.body)}",
                          highlight=False)
            return
        if read or read_all:
            console.print(f"{mark_read(session, person, read or ())} notice(s) marked read")
            return
        table = Table("", "id", "when", "event", "subject",
                      title=f"{person.name}: {unread_count(session, person)} unread")
        for notice in inbox_of(session, person, unread):
            when = notice.created_at.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
            table.add_row("" if notice.read_at else "•", str(notice.id), when, notice.event,
                          escape(notice.subject))
        console.print(table)

    in_transaction(work, dispatch=False)
