"""``mqa serve`` (the web application) and ``mqa user password`` (sign-in passwords)."""

from __future__ import annotations

import getpass

import typer
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.audit import service as audit
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import acting, actor_option, in_transaction, resolve_actor


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
    workers: int = typer.Option(
        1, "--workers", min=1,
        help="Serving processes. Each has its own connection pool (MQA_DB_POOL_SIZE + "
             "MQA_DB_MAX_OVERFLOW) and bound on requests in flight; keep their sum within "
             "PostgreSQL's max_connections. Not with --reload."),
) -> None:
    """Serve the web application and its API (/api/docs) on $MQA_DATABASE_URL."""
    import uvicorn

    if reload and workers > 1:
        fail("--reload runs one process; drop --workers", code=2)
    console.print(f"mqa web on http://{host}:{port}/ (API docs at /api/docs), "
                  f"{workers} process(es)")
    from mqa_workflow.web.serving import HTTP_PROTOCOL

    uvicorn.run("mqa_workflow.web.asgi:app", host=host, port=port, reload=reload,
                workers=workers, proxy_headers=True, http=HTTP_PROTOCOL)


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

    def work(session: Session) -> tuple[str, int]:
        person = get_user(session, user)
        ended = set_password(session, person, secret)
        audit.append(session, actor=resolve_actor(actor), trigger="set_password",
                     data={"user": person.email, "sessions_ended": ended})
        return person.email, ended

    email, ended = in_transaction(work, dispatch=False, check=admin)
    console.print(f"password set for {email}; {ended} session(s) of theirs ended")


def unlock(
    email: str | None = typer.Argument(None, help="The account's e-mail address."),
    address: str | None = typer.Option(None, "--address", help="A client address to unlock."),
    actor: str | None = actor_option(),
) -> None:
    """Lift the sign-in lock left by failed sign-ins on an account and/or an address."""
    from mqa_workflow.web import throttle

    if not email and not address:
        fail("say what to unlock: an e-mail address and/or --address", code=2)
    admin = acting(actor, Role.ADMINISTRATOR, doing="unlock sign-in")

    def work(session: Session) -> int:
        return throttle.unlock(session, admin(session).email, email=email, address=address)

    cleared = in_transaction(work, dispatch=False)
    console.print(f"unlocked {' and '.join(filter(None, [email, address]))} "
                  f"({cleared} lock record(s) cleared)")
