"""``mqa reviewer`` (the pool), ``mqa review`` (reviewers' work) and ``mqa sitevisit``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import get_application
from mqa_workflow.cli.console import OutputFormat, console, fail, print_rows
from mqa_workflow.cli.imports import run_import, write_template
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    application_argument,
    format_option,
    in_transaction,
    read_data_file,
    read_json_object,
    resolve_actor,
)
from mqa_workflow.clock import office_time
from mqa_workflow.errors import NotFoundError
from mqa_workflow.permissions import (
    acting_user,
    sees_team_percentages,
    team_place,
    team_progress,
)
from mqa_workflow.reviews.assignment import AssignmentResult
from mqa_workflow.reviews.assignment_service import assign_stage, decline
from mqa_workflow.reviews.conflict_declarations import declare_conflict
from mqa_workflow.reviews.consensus import record_consensus, spreads
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ReviewStage
from mqa_workflow.reviews.pool import IMPORT_COLUMNS as POOL_COLUMNS
from mqa_workflow.reviews.pool import TEMPLATE_ROWS as POOL_TEMPLATE_ROWS
from mqa_workflow.reviews.pool import add_pool_reviewer, import_reviewers
from mqa_workflow.reviews.sheets import save_sheet
from mqa_workflow.reviews.site_visits import schedule_site_visit, submit_visit_report
from mqa_workflow.reviews.statement import (
    confirm_no_conflict,
    may_review,
    no_conflict_statement,
    open_application,
)

reviewer_app = typer.Typer(help="The reviewer pool (评审专家库).", no_args_is_help=True)
review_app = typer.Typer(
    help="Reviewers' work: assignments, score sheets, consensus.", no_args_is_help=True
)
sitevisit_app = typer.Typer(help="Site visits (现场评审).", no_args_is_help=True)


def _employment(value: str) -> dict[str, str | None]:
    parts = [part.strip() for part in value.split(",")]
    if len(parts) not in (3, 4):
        fail(f"--employment {value!r}: write USCC,NAME,START[,END] with ISO dates", code=2)
    return {
        "uscc": parts[0],
        "name": parts[1],
        "start": parts[2],
        "end": parts[3] if len(parts) == 4 else None,
    }


@reviewer_app.command("add")
def add_reviewer(
    user: str = typer.Argument(..., help="The reviewer's e-mail or id (see `mqa user add`)."),
    classes: str = typer.Option(..., help="Comma-separated classes the reviewer may review."),
    industries: str = typer.Option("", help="Comma-separated industries of expertise."),
    capacity: int = typer.Option(8, help="Most reviews per cycle."),
    may_lead: bool = typer.Option(False, "--may-lead", help="May lead a team."),
    employer: str | None = typer.Option(None, help="Current employer's USCC."),
    employment: list[str] = typer.Option([], help="USCC,NAME,START[,END]; repeat."),
    actor: str | None = actor_option(),
) -> None:
    """Put a person in the reviewer pool (or update their entry). --employer and
    --employment update their conflict profile (see `mqa conflict set` for the rest), which
    is checked against every application in review at once."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="manage the reviewer pool")
    who = resolve_actor(actor)

    def work(session: Session) -> str:
        person = get_user(session, user)
        add_pool_reviewer(
            session,
            person,
            classes=_split(classes),
            industries=_split(industries),
            capacity=capacity,
            may_lead=may_lead,
            employer_uscc=employer,
            employments=[_employment(e) for e in employment] if employment else None,
            actor=who,
        )
        return person.name

    console.print(f"{in_transaction(work, check=admin)} is in the reviewer pool")


@reviewer_app.command("import")
def import_reviewers_file(
    file: Path = typer.Argument(..., exists=True,
                                help="CSV or XLSX (see `mqa reviewer template`)."),
    actor: str | None = actor_option(),
) -> None:
    """Put reviewers in the pool in bulk (people not yet known are added as reviewers):
    every bad row is reported with its number, nothing stored unless every row is good."""
    run_import(file, actor, kind="reviewers", required=("email", "classes"),
               run=lambda s, rows, who: len(import_reviewers(s, rows, actor=who)))


@reviewer_app.command("template")
def reviewers_template(out: Path = typer.Option(..., help="A .csv or .xlsx file.")) -> None:
    """Write the reviewers' import template with an example row."""
    write_template(out, POOL_COLUMNS, POOL_TEMPLATE_ROWS, "reviewers")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@review_app.command("assign")
def assign(
    application_ids: list[int] = typer.Argument(..., help="Applications to staff."),
    stage: ReviewStage = typer.Option(ReviewStage.DOCUMENT_REVIEW, help="Which team."),
    actor: str | None = actor_option(),
) -> None:
    """Complete the teams of these applications now (the solver; usually a task does it)."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="assign reviewers")
    result = in_transaction(lambda s: assign_stage(s, application_ids, stage), check=admin)
    console.print(f"{len(result.assignments)} assignment(s) made")
    for uncovered in result.uncovered:
        console.print(f"[yellow]not covered:[/] {uncovered.reason}", highlight=False)


@review_app.command("list")
def list_assignments(
    application: int | None = typer.Option(None, help="Only this application."),
    reviewer: str | None = typer.Option(None, help="Only this reviewer (e-mail or id)."),
    output: OutputFormat = format_option(),
) -> None:
    """List review assignments with their status and deadline (Beijing time)."""

    def work(session: Session) -> list[dict[str, Any]]:
        query = select(ReviewAssignment).order_by(ReviewAssignment.id)
        if application:
            query = query.where(ReviewAssignment.application_id == application)
        if reviewer:
            query = query.where(ReviewAssignment.reviewer_id == get_user(session, reviewer).id)
        return [{"id": a.id, "application": a.application_id, "reviewer": a.reviewer.name,
                 "stage": a.stage, "leader": a.is_leader, "status": a.status,
                 "due_beijing": office_time(a.due_at)}
                for a in session.scalars(query)]

    print_rows(in_transaction(work, dispatch=False), ASSIGNMENT_COLUMNS, output)


ASSIGNMENT_COLUMNS = ("id", "application", "reviewer", "stage", "leader", "status",
                      "due_beijing")


def _assignment(
    session: Session, application_id: int, who: str, stage: ReviewStage
) -> ReviewAssignment:
    user = acting_user(session, who)
    assignment = session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application_id,
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.stage == stage.value,
        )
    )
    if assignment is None:
        raise NotFoundError(
            f"{user.email} has no {stage.value} assignment for application {application_id}"
        )
    return assignment


@review_app.command("open")
def open_materials(
    application_id: int = application_argument(),
    declare_conflict: str | None = typer.Option(
        None, help="Declare a conflict instead (the same as `mqa review declare-conflict`)."),
    actor: str | None = actor_option(),
) -> None:
    """Open an application's materials (refused when conflicted, not assigned, or before the
    no-conflict statement is confirmed)."""
    who = resolve_actor(actor)
    if declare_conflict is not None:
        _declare(application_id, declare_conflict, who)
        return

    def work(session: Session) -> dict[str, str]:
        application = open_application(session, get_user(session, who), application_id)
        return {"profile": application.profile, **application.answer_texts()}

    for key, text in in_transaction(work).items():
        console.print(f"[bold]{key}[/] {text}", highlight=False)


def _declare(application_id: int, reason: str, who: str) -> None:
    result = in_transaction(
        lambda s: declare_conflict(s, get_user(s, who), application_id, reason))
    console.print(f"conflict of interest with application {application_id} declared and "
                  "recorded; you are withdrawn from its teams and its materials stay closed")
    _print_replacements(result)


def _print_replacements(result: AssignmentResult | None) -> None:
    for made in result.assignments if result else ():
        console.print(f"replacement: reviewer {made.reviewer_id}")
    for uncovered in result.uncovered if result else ():
        console.print(f"[yellow]no replacement:[/] {uncovered.reason}", highlight=False)


@review_app.command("declare-conflict")
def declare(
    application_id: int = application_argument(),
    reason: str = typer.Option(..., help="Why (e.g. 曾为该单位提供咨询服务)."),
    actor: str | None = actor_option(),
) -> None:
    """Declare your own conflict of interest (回避申报): recorded, you are withdrawn from every
    team of the application and replaced at once."""
    _declare(application_id, reason, resolve_actor(actor))


@review_app.command("confirm")
def confirm(
    application_id: int = application_argument(),
    yes: bool = typer.Option(False, "--yes", help="Confirm without asking."),
    actor: str | None = actor_option(),
) -> None:
    """Show the no-conflict statement (回避承诺) for an application and confirm it; needed
    before opening or scoring it."""
    who = resolve_actor(actor)
    text = in_transaction(lambda s: no_conflict_statement(
        may_review(s, get_user(s, who), application_id)), dispatch=False)
    console.print(text, highlight=False)
    if not yes:
        typer.confirm("确认以上承诺？ Confirm this statement?", abort=True)
    in_transaction(lambda s: confirm_no_conflict(s, get_user(s, who), application_id))
    console.print(f"no-conflict statement for application {application_id} confirmed")


@review_app.command("sheet")
def sheet(
    application_id: int = application_argument(),
    file: Path = typer.Option(
        ...,
        help='JSON: {"scores": {CODE: PCT}, "comments": {CODE: '
        '{"strengths": …, "opportunities": …}}}.',
    ),
    stage: ReviewStage = typer.Option(ReviewStage.DOCUMENT_REVIEW, help="Which review."),
    submit: bool = typer.Option(False, "--submit", help="Submit and lock the sheet."),
    actor: str | None = actor_option(),
) -> None:
    """Save a draft score sheet, or submit it (then it is locked)."""
    who, data = resolve_actor(actor), read_json_object(file)

    def work(session: Session) -> str:
        # Scoring is reading the materials: the same rule as opening them.
        open_application(session, get_user(session, who), application_id)
        saved = save_sheet(
            session,
            _assignment(session, application_id, who, stage),
            data.get("scores", {}),
            data.get("comments", {}),
            submit=submit,
        )
        return saved.status

    console.print(f"score sheet {in_transaction(work)}")


@review_app.command("decline")
def decline_assignment(
    application_id: int = application_argument(),
    reason: str = typer.Option(..., help="Why."),
    stage: ReviewStage = typer.Option(ReviewStage.DOCUMENT_REVIEW, help="Which review."),
    actor: str | None = actor_option(),
) -> None:
    """Decline an assignment; a replacement is assigned at once."""
    who = resolve_actor(actor)
    _print_replacements(in_transaction(
        lambda s: decline(s, _assignment(s, application_id, who, stage), reason)))


def _team_view(session: Session, application_id: int, stage: ReviewStage, who: str
               ) -> tuple[bool, tuple[int, int], dict[str, tuple[list[int], int, bool]]]:
    """What the actor sees of the team's sheets: the same rule as the web's consensus page."""
    viewer = acting_user(session, who)
    application, place = team_place(session, viewer, application_id, stage.value)
    progress = team_progress(session, application_id, stage.value)
    if not sees_team_percentages(viewer, place):
        return False, progress, {}
    return True, progress, spreads(session, application, stage)


@review_app.command("consensus")
def consensus(
    application_id: int = application_argument(),
    stage: ReviewStage = typer.Option(ReviewStage.DOCUMENT_REVIEW, help="Which review."),
    decisions: Path | None = typer.Option(
        None, help='JSON: {CODE: {"percentage": P, "rationale": "…"}} for flagged items.'
    ),
    actor: str | None = actor_option(),
) -> None:
    """Show the spreads (no --decisions) or record the team leader's consensus sheet."""
    who = resolve_actor(actor)
    if decisions is None:
        visible, (submitted, team), rows = in_transaction(
            lambda s: _team_view(s, application_id, stage, who), dispatch=False)
        console.print(f"sheets submitted 已提交 {submitted} / {team}")
        if not visible:
            console.print("the team's percentages appear once your own score sheet is "
                          "submitted (independent scoring)")
            return
        table = Table("item", "percentages", "spread", "flagged")
        for code, (values, spread, flagged) in rows.items():
            table.add_row(code, ", ".join(map(str, values)), str(spread), "⚑" if flagged else "")
        console.print(table)
        return
    raw = read_json_object(decisions)
    chosen = {code: (int(d["percentage"]), str(d["rationale"])) for code, d in raw.items()}

    def work(session: Session) -> ConsensusSheet:
        leader = acting_user(session, who)
        application, _ = team_place(session, leader, application_id, stage.value)
        return record_consensus(session, application, stage, leader, chosen)

    recorded = in_transaction(work)
    console.print(f"consensus recorded: {recorded.total} / 500")


@sitevisit_app.command("schedule")
def schedule(
    application_id: int = application_argument(),
    on: str = typer.Option(..., "--on", help="Date, YYYY-MM-DD."),
    issue: list[str] = typer.Option([], help="An issue to verify on site; repeat."),
    actor: str | None = actor_option(),
) -> None:
    """Schedule the site visit and list what the team must verify."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="schedule site visits")
    try:
        day = date.fromisoformat(on)
    except ValueError:
        fail(f"--on {on!r}: write YYYY-MM-DD", code=2)
    in_transaction(lambda s: schedule_site_visit(s, _in(s, application_id), day, issue),
                   check=admin)
    console.print(f"site visit of application {application_id} on {day.isoformat()}")


def _in(session: Session, application_id: int) -> Application:
    return get_application(session, application_id)


@sitevisit_app.command("report")
def report(
    application_id: int = application_argument(),
    file: Path = typer.Option(..., exists=True, help=(
        "The report, JSON or YAML: {summary: …, findings: [{issue: …, verified: "
        "yes|partly|no, finding: …}, …]}, one finding for each issue to verify.")),
    actor: str | None = actor_option(),
) -> None:
    """Submit the site-visit report (the team leader, once the visit has begun)."""
    who, data = acting(actor), _read_report(file)
    findings = data.get("findings", [])
    if not isinstance(findings, list):
        fail(f"{file}: findings must be a list of {{issue, verified, finding}}", code=2)
    # YAML reads a bare yes / no as true / false: take them back as the words written.
    findings = [f | {"verified": {True: "yes", False: "no"}[f["verified"]]}
                if isinstance(f, dict) and isinstance(f.get("verified"), bool) else f
                for f in findings]
    in_transaction(lambda s: submit_visit_report(
        s, _in(s, application_id), who(s), findings, str(data.get("summary") or "")))
    console.print(f"site-visit report of application {application_id} submitted "
                  f"({len(findings)} findings)")


def _read_report(path: Path) -> dict[str, Any]:
    """A report file as JSON or YAML (YAML is a superset), or a clear error and exit 2."""
    data = read_data_file(path, "site-visit report")
    if not isinstance(data, dict):
        fail(f"{path}: the report must be an object with summary and findings "
             "(free text alone is no longer a report: one finding per issue to verify)", code=2)
    return data
