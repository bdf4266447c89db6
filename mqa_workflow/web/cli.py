"""``mqa serve`` (the web application) and ``mqa user password`` (sign-in passwords)."""

from __future__ import annotations

import getpass

import typer
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.cli_support import acting, actor_option, in_transaction
from mqa_workflow.console import console, fail


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
) -> None:
    """Serve the web application and its API (/api/docs) on $MQA_DATABASE_URL."""
    import uvicorn

    console.print(f"mqa web on http://{host}:{port}/ (API docs at /api/docs)")
    uvicorn.run("mqa_workflow.web.asgi:app", host=host, port=port, reload=reload,
                proxy_headers=True)


def password(
    user: str = typer.Argument(..., help="The person: e-mail address or id."),
    value: str | None = typer.Option(None, "--password", help="The password (default: ask; "
                                     "or $MQA_NEW_PASSWORD)", envvar="MQA_NEW_PASSWORD"),
    actor: str | None = actor_option(),
) -> None:
    """Set a person's sign-in password for the web application (argon2id hash stored)."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="set passwords")
    from mqa_workflow.web.security import set_password

    secret = value or getpass.getpass("new password: ")
    if value is None and secret != getpass.getpass("again: "):
        fail("the two passwords differ", code=2)

    def work(session: Session) -> str:
        person = get_user(session, user)
        set_password(session, person, secret)
        return person.email

    console.print(f"password set for {in_transaction(work, dispatch=False, check=admin)}")
