"""``mqa demo``: run a whole award cycle on synthetic data."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from mqa_workflow.accounts.passwords import password_problems
from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.cli.console import console, fail
from mqa_workflow.committee.models import OUTCOME_LABELS
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.demo.database import prepare
from mqa_workflow.demo.service import (
    DEFAULT_PASSWORD,
    DemoOutcome,
    run_demo,
    stop_points,
    unknown_stop_message,
)
from mqa_workflow.errors import DomainError
from mqa_workflow.scoring.points import points


class Procedure(StrEnum):
    PLAIN = "plain"
    SHENZHEN = "shenzhen"


def demo(
    applications: int = typer.Option(24, "--applications", "-n", min=1, max=100_000,
                                     help="How many applications, spread over the six classes."),
    seed: int = typer.Option(2026, help="Random seed; the same seed gives the same outcome."),
    database: Path = typer.Option(Path("mqa-demo.sqlite3"),
                                  help="SQLite file for the demo: a new one, or one an "
                                       "earlier demo created (replaced); any other is refused."),
    database_url: str | None = typer.Option(
        None, help="Run against this database instead, e.g. PostgreSQL: empty, or an earlier "
                   "demo's (replaced); any other is refused."),
    broker_url: str | None = typer.Option(
        None, help="Send background work to Celery workers on this broker (they must use "
                   "the same database); default: run it in-process."),
    reports: Path = typer.Option(Path("demo-reports"), help="Where feedback reports go."),
    procedure: Procedure = typer.Option(Procedure.PLAIN, help="plain, or shenzhen: the full "
                                        "Shenzhen procedure (eligibility rules, defence, "
                                        "social evaluation, 差额选拔, blind committee, 公示)."),
    stop_at: str | None = typer.Option(
        None, "--stop-at", metavar="STAGE",
        help="Leave the cycle at this stage with its work waiting, e.g. eligibility_check, "
             "document_review, site_visit, committee_decision, results_release (the "
             "Shenzhen procedure adds defence and public_notice)."),
    password: str = typer.Option(DEFAULT_PASSWORD, "--password",
                                 help="The sign-in password of the demo's people (one of "
                                      "every role)."),
) -> None:
    """Create a cycle with applicants in all six classes, a reviewer pool with conflicts and
    a committee, and run the whole cycle (or up to --stop-at) in-process, printing each
    class's ranking and how to sign in to the web application."""
    if stop_at is not None and stop_at not in stop_points(procedure.value):
        fail(unknown_stop_message(stop_at, procedure.value), code=2)
    problems = password_problems(password, "admin@demo.cn")
    if problems:
        fail("the password is not accepted (密码不符合要求): " + "; ".join(problems), code=2)
    url = database_url or f"sqlite:///{database}"
    try:
        prepare(url)
    except DomainError as error:
        fail(str(error), code=error.exit_code)
    settings = Settings(database_url=url, broker_url=broker_url or "",
                        result_backend=broker_url or "")
    db = Database(url)
    with console.status("running the award cycle …") as status:
        try:
            outcome = run_demo(db, applications=applications, seed=seed, reports_dir=reports,
                               procedure=procedure.value, settings=settings,
                               stop_at=stop_at, password=password,
                               progress=lambda text: (console.log(text),
                                                      status.update(text)))
        except (RuntimeError, DomainError) as error:
            fail(str(error))
    _print_rankings(outcome)
    if outcome.stopped_at is None:
        for row in outcome.unranked:
            console.print(f"not ranked: application {row.application_id} {row.title} · "
                          f"{row.state} {ApplicationState(row.state).label}", highlight=False)
        console.print(f"{len(outcome.reports)} feedback reports written to {reports.resolve()}/")
    else:
        counts = ", ".join(f"{count} {state} {ApplicationState(state).label}"
                           for state, count in outcome.states.items())
        console.print(f"stopped at {outcome.stopped_at}: {counts}", highlight=False)
    where = url if database_url else str(database.resolve())
    console.print(f"the cycle's database: {where} (MQA_DATABASE_URL={url} mqa case list)")
    _print_sign_in(outcome, database_url or f"sqlite:///{database.resolve()}", password)


def _print_rankings(outcome: DemoOutcome) -> None:
    for award_class, rows in outcome.rankings.items():
        if outcome.stopped_at is not None and not any(r.document_review for r in rows):
            continue  # nothing scored yet in this class
        table = Table(title=f"{award_class} ranking", title_justify="left")
        for column in ("rank", "application", "applicant", "document review", "final",
                       "stage", "decision"):
            table.add_column(column)
        for row in rows:
            table.add_row(str(row.rank or "—"), str(row.application_id), row.title,
                          points(row.document_review), points(row.final),
                          f"{row.state} {ApplicationState(row.state).label}",
                          OUTCOME_LABELS.get(row.decision or "", "—"))
        console.print(table)


ROLE_NAMES = {"administrator": "管理员 administrator", "operator": "运维 operator",
              "reviewer": "评审专家 reviewer",
              "committee_member": "评审委员会委员 committee member",
              "applicant_contact": "申报单位联系人 applicant contact"}


def _print_sign_in(outcome: DemoOutcome, url: str, password: str) -> None:
    """How a newcomer opens the cycle in the browser, as whom."""
    console.print(f"\n登录 sign in: MQA_DATABASE_URL={url} mqa serve, then open "
                  "http://127.0.0.1:8000/", highlight=False)
    people = Table(box=None, show_header=False, padding=(0, 2))
    for role, email in outcome.sign_in.items():
        people.add_row(ROLE_NAMES[role.value], email)
    people.add_row("密码 password (each of them)", password)
    console.print(people, highlight=False)

