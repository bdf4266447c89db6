"""``mqa user``: people and their roles."""

from __future__ import annotations

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.invitations import invite
from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user, get_user, parse_roles
from mqa_workflow.applicants.service import get_organization
from mqa_workflow.audit import service as audit
from mqa_workflow.cli.console import OutputFormat, console, print_rows
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    format_option,
    in_transaction,
    resolve_actor,
)
from mqa_workflow.clock import office_time
from mqa_workflow.config import get_settings
from mqa_workflow.permissions import may_add_people

app = typer.Typer(help="People: administrators, reviewers, committee members …",
                  no_args_is_help=True)


@app.command("add")
def add(
    name: str = typer.Option(..., help="Full name."),
    email: str = typer.Option(..., help="E-mail address (also the sign-in name)."),
    role: list[str] = typer.Option(..., help="Role; repeat for several."),
    organization: str | None = typer.Option(None, help="USCC, for an applicant contact."),
    language: str = typer.Option("zh", help="Language of the person's notices: zh or en."),
    actor: str | None = actor_option(),
) -> None:
    """Add a person with one or more roles (an administrator; the very first person is
    added without one and must be an administrator)."""

    def work(session: Session) -> User:
        org_id = get_organization(session, organization).id if organization else None
        return add_user(session, name=name, email=email, roles=parse_roles(role),
                        organization_id=org_id, language=language)

    user = in_transaction(work, dispatch=False, check=lambda s: may_add_people(
        s, actor or get_settings().actor, parse_roles(role)))
    console.print(f"user {user.id}: {user.name} <{user.email}> ({', '.join(user.roles)})")


@app.command("invite")
def invite_person(
    user: str = typer.Argument(..., help="The person: e-mail address or id (`mqa user add` "
                                         "first)."),
    url: str | None = typer.Option(None, "--url", help="Where the web application is "
                                   "reached (default: $MQA_PUBLIC_URL)."),
    actor: str | None = actor_option(),
) -> None:
    """Print a one-time link by which the person sets their own password, as the web's
    People page does: it works once, for 7 days; a new one withdraws the earlier."""
    base = (url or get_settings().public_url).rstrip("/")
    admin = acting(actor, Role.ADMINISTRATOR, doing="invite people")

    def work(session: Session) -> tuple[User, str, str]:
        person = get_user(session, user)
        token, invitation = invite(session, person, created_by=resolve_actor(actor))
        audit.append(session, actor=resolve_actor(actor), trigger="invite_user",
                     reason=f"{person.email} invited from the command line",
                     data={"user": person.email, "roles": person.roles})
        return person, token, f"{office_time(invitation.expires_at)} Beijing time"

    person, token, expires = in_transaction(work, dispatch=False, check=admin)
    link = f"{base}/invite/{token}" if base else f"/invite/{token}"
    console.print(f"invitation for {person.name} <{person.email}>, valid once until "
                  f"{expires}:")
    # The link alone on its line, never wrapped, so it can be copied or piped whole.
    print(link)
    if not base:
        console.print("(no --url or MQA_PUBLIC_URL: put the web application's address "
                      "in front, e.g. http://127.0.0.1:8000)")


@app.command("list")
def list_users(
    output: OutputFormat = format_option(),
) -> None:
    """List everyone with their roles."""
    rows = in_transaction(lambda s: [
        {"id": u.id, "name": u.name, "email": u.email, "roles": ", ".join(u.roles)}
        for u in s.scalars(select(User).order_by(User.id))], dispatch=False)
    print_rows(rows, ("id", "name", "email", "roles"), output)
