"""``mqa application``: an applicant's side of an application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from mqa_workflow.applicants.service import get_organization
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import (
    attach_document,
    create_application,
    get_application,
    write_answers,
)
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    application_argument,
    in_transaction,
    read_json_object,
)
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.permissions import applying_for, editable
from mqa_workflow.states.engine import advance

app = typer.Typer(help="Applications (申报).", no_args_is_help=True)


@app.command("create")
def create(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str = typer.Option(..., "--class", help="Award class."),
    applicant: str = typer.Option(..., help="The organization's USCC or id."),
    project: str | None = typer.Option(
        None, help="Project name, for a project award (组织/项目奖 classes); leave it out "
                   "when the organization applies as itself (always for economic)."),
    actor: str | None = actor_option(),
) -> None:
    """Open a draft application (an administrator, or a contact for their own organization)."""
    who = acting(actor)

    def work(session: Session) -> Application:
        organization = get_organization(session, applicant)
        applying_for(who(session), organization.id)  # the web's rule: own organization only
        return create_application(session, cycle=get_cycle(session, cycle),
                                  award_class=award_class, organization=organization,
                                  project_name=project)

    application = in_transaction(work, dispatch=False)
    console.print(f"application {application.id}: draft")


ANSWER_KEYS = ("profile", "items")


def _read_answers(path: Path) -> dict[str, Any]:
    """The answers file, whose shape is checked before anything is saved: a file that
    says nothing the command understands is refused with what is wrong, never taken as
    "0 answers"."""
    data = read_json_object(path, "answers")
    shape = '{"profile": "…", "items": {"1.1": "…", …}}'
    problems = [f"unknown key {key!r}" for key in data if key not in ANSWER_KEYS]
    if not isinstance(data.get("items", {}), dict):
        problems.append('"items" must map item codes to answer texts')
    if not isinstance(data.get("profile", ""), str):
        problems.append('"profile" must be text')
    if not problems and not data.get("items") and "profile" not in data:
        problems.append("it holds no profile and no item answers")
    if problems:
        fail(f"{path}: " + "; ".join(problems) + f" — write {shape}", code=2)
    return data


@app.command("answer")
def answer(
    application_id: int = application_argument(),
    file: Path = typer.Option(..., help='JSON: {"profile": "…", "items": {CODE: "…"}}.'),
    actor: str | None = actor_option(),
) -> None:
    """Write the organizational profile and the item answers from a file."""
    who = acting(actor)
    data = _read_answers(file)

    def work(session: Session) -> int:
        application = editable(session, who(session), application_id)
        write_answers(session, application, profile=data.get("profile"),
                      answers=data.get("items", {}))
        return len(application.answers)

    count = in_transaction(work, dispatch=False)
    console.print(f"application {application_id}: {count} item answers saved")


@app.command("attach")
def attach(
    application_id: int = application_argument(),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Document to attach."),
    actor: str | None = actor_option(),
) -> None:
    """Attach a document (PDF, PNG/JPEG, Word or Excel judged from its content; size-limited;
    stored by content hash; the same content twice on one application is refused)."""
    who = acting(actor)
    data = file.read_bytes()
    document = in_transaction(lambda s: attach_document(
        s, editable(s, who(s), application_id), file.name, data
    ), dispatch=False)
    console.print(f"document {document.id}: {document.filename} sha256 {document.sha256[:12]}…")


def _advance(application_id: int, trigger: str, actor: str | None, reason: str) -> None:
    who = acting(actor)

    def work(session: Session) -> Application:
        advance(session, application_id, trigger, who(session), reason=reason)
        return get_application(session, application_id)

    application = in_transaction(work)
    console.print(f"application {application_id}: {application.state}")


@app.command("submit")
def submit(
    application_id: int = application_argument(),
    actor: str | None = actor_option(),
) -> None:
    """Submit a complete draft (every item answered, before the deadline)."""
    _advance(application_id, "submit", actor, "")


@app.command("withdraw")
def withdraw(
    application_id: int = application_argument(),
    reason: str = typer.Option(..., help="Why the applicant withdraws."),
    actor: str | None = actor_option(),
) -> None:
    """Withdraw an application before the committee's decision."""
    _advance(application_id, "withdraw", actor, reason)
