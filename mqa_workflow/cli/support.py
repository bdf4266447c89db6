"""What every domain's commands share: the database, who is acting, error handling."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
import yaml
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import require_role
from mqa_workflow.cli.console import OutputFormat, err_console, fail
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.errors import DomainError
from mqa_workflow.permissions import acting_user
from mqa_workflow.worker.dispatch import dispatch_pending

T = TypeVar("T")

ACTOR_HELP = "Who is acting: a user's e-mail or id (default: $MQA_ACTOR)."


def actor_option() -> str | None:
    return typer.Option(None, "--as", help=ACTOR_HELP)


def application_argument() -> int:
    return typer.Argument(..., help="Application id.")


def format_option() -> OutputFormat:
    return typer.Option(OutputFormat.TABLE, "--format",
                        help="table for people; json or csv for programs.")


def resolve_actor(value: str | None) -> str:
    actor = value or get_settings().actor
    if not actor:
        fail("say who is acting: --as EMAIL, or set MQA_ACTOR", code=2)
    return actor


def acting(actor: str | None, *roles: Role, doing: str = "do this"
           ) -> Callable[[Session], User]:
    """For a writing command: who acts (``--as`` or ``MQA_ACTOR``, else exit 2), looked up
    in the command's own transaction and refused (exit 6) unless known and, when
    ``roles`` are named, holding one of them: the rules of mqa_workflow/permissions.py,
    the same the web applies."""
    who = resolve_actor(actor)

    def lookup(session: Session) -> User:
        user = acting_user(session, who)
        return require_role(user, *roles, doing=doing) if roles else user

    return lookup


def database() -> Database:
    return get_database(get_settings().database_url)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn domain refusals into a clear message and the error's exit code."""
    try:
        yield
    except DomainError as error:
        fail(str(error), code=error.exit_code)
    except OperationalError as error:
        fail(f"database problem: {error.orig}. Is it reachable, and migrated "
             "(`mqa db upgrade`)?", code=5)


def in_transaction(work: Callable[[Session], T], *, dispatch: bool = True,
                   check: Callable[[Session], object] | None = None) -> T:
    """Run ``work`` in one transaction; afterwards hand the work it queued to the runner.

    ``check`` (e.g. :func:`acting`) runs first in the same transaction: whether the
    actor may do this at all; a refusal writes nothing."""
    db = database()
    with domain_errors():
        with db.session() as session:
            if check is not None:
                check(session)
            result = work(session)
        if dispatch:
            run_queued_work(db)
    return result


def run_queued_work(db: Database) -> None:
    run = dispatch_pending(db)
    if run.failed:
        err_console.print(
            f"[yellow]note:[/] {run.failed} background task(s) could not run yet and stay "
            f"queued in the outbox ({run.last_error})"
        )


def read_text_file(path: Path, what: str) -> str:
    """A file's text, which must be UTF-8, or a clear error and exit code 2. Files saved
    by Chinese Windows tools are often GBK: say so, and how to save them as UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        fail(f"{path}: cannot read the {what}: {error.strerror or error}", code=2)
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark, as Excel writes it, is fine
    except UnicodeDecodeError as error:
        try:
            raw.decode("gb18030")
            guess = "it looks like GBK/GB18030 (简体中文 Windows); "
        except UnicodeDecodeError:
            guess = ""
        fail(f"{path}: the {what} must be UTF-8 text, but byte {error.start} is not; "
             f"{guess}save the file as UTF-8 and try again", code=2)


def read_data_file(path: Path, what: str) -> Any:
    """A JSON or YAML file (YAML reads JSON too), or a clear error and exit code 2."""
    text = read_text_file(path, what)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        fail(f"{path}: cannot read the {what} as JSON or YAML: {error}", code=2)


def read_json_object(path: Path, what: str = "file") -> dict[str, Any]:
    """A JSON object from a file, or a clear error and exit code 2."""
    try:
        data = json.loads(read_text_file(path, what))
    except ValueError as error:
        fail(f"{path}: cannot read the {what} as JSON: {error}", code=2)
    if not isinstance(data, dict):
        fail(f"{path}: must hold a JSON object", code=2)
    return data
