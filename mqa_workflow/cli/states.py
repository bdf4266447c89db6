"""``mqa case`` (administrators moving applications) and ``mqa states`` (the machine)."""

from __future__ import annotations

import json

import typer
from rich.progress import Progress
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit.service import history
from mqa_workflow.cli.console import OutputFormat, console, print_rows
from mqa_workflow.cli.support import (
    actor_option,
    application_argument,
    database,
    domain_errors,
    format_option,
    in_transaction,
    resolve_actor,
    run_queued_work,
)
from mqa_workflow.clock import office_time
from mqa_workflow.committee.models import OUTCOME_LABELS, VoteChoice
from mqa_workflow.committee.service import committee_title, decision_of
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.permissions import (
    acting_user,
    full_materials,
    is_admin,
    readable,
)
from mqa_workflow.scoring.shortlist import ShortlistEntry
from mqa_workflow.states.bulk import BulkReport, advance_all
from mqa_workflow.states.engine import advance
from mqa_workflow.states.history import history_for
from mqa_workflow.states.offer import actions_now
from mqa_workflow.states.shortlisting import shortlist_class
from mqa_workflow.states.table import mermaid_diagram

case_app = typer.Typer(help="Cases: applications as administrators move them.",
                       no_args_is_help=True)
states_app = typer.Typer(help="The application state machine.", no_args_is_help=True)


@states_app.command("diagram")
def diagram() -> None:
    """Print the state machine as a Mermaid diagram (from the one transition table)."""
    print(mermaid_diagram(), end="")


@case_app.command("list")
def list_cases(
    cycle: str | None = typer.Option(None, help="Cycle id or name."),
    award_class: str | None = typer.Option(None, "--class", help="Award class."),
    state: str | None = typer.Option(None, help="State, e.g. document_review."),
    output: OutputFormat = format_option(),
) -> None:
    """List applications, optionally of one cycle, class or state."""

    def work(session: Session) -> list[dict[str, object]]:
        query = select(Application).order_by(Application.id)
        if cycle:
            query = query.where(Application.cycle_id == get_cycle(session, cycle).id)
        if award_class:
            query = query.where(Application.award_class == award_class)
        if state:
            known = ApplicationState.named(state)
            query = query.where(Application.state == known if known else false())
        return [{"id": a.id, "cycle": a.cycle_id, "class": a.award_class,
                 "applicant": a.title, "state": a.state,
                 "state_label": ApplicationState(a.state).label, "version": a.version}
                for a in session.scalars(query)]

    print_rows(in_transaction(work, dispatch=False), CASE_COLUMNS, output)


CASE_COLUMNS = ("id", "cycle", "class", "applicant", "state", "state_label", "version")


@case_app.command("show")
def show(
    application_id: int = application_argument(),
    actor: str | None = actor_option(),
) -> None:
    """Show an application's state, full history and what it waits for."""
    who = resolve_actor(actor)

    def work(session: Session) -> None:
        viewer = acting_user(session, who)
        application = readable(session, viewer, application_id)
        state = ApplicationState(application.state)
        title = (application.title if full_materials(session, viewer, application)
                 else committee_title(session, viewer, application))
        console.print(f"[bold]application {application.id}[/]: {title} · "
                      f"{application.award_class} · {application.cycle.name}")
        console.print(f"state: {state.value} {state.label} (version {application.version})")
        decision = decision_of(session, application)
        if decision is not None and decision.frozen and decision.decided_at is not None:
            taken = office_time(decision.decided_at)
            console.print(f"committee decision: {decision.outcome} "
                          f"{OUTCOME_LABELS[decision.outcome or VoteChoice.NONE]} (taken {taken} "
                          f"Beijing time by {decision.decided_by})", highlight=False)
        console.print("history (Beijing time):")
        for row in history_for(viewer, history(session, application_id)):
            reason = f" — {row['reason']}" if row["reason"] else ""
            actor = f" {row['actor']}" if row["actor"] else ""
            # An office action that moved nothing (a conflict found, a statement
            # confirmed) has no states: its trigger alone, not "None → None".
            moved = (f": {row['from_state']} → {row['to_state']}"
                     if row["from_state"] or row["to_state"] else "")
            console.print(
                f"  #{row['seq']} {office_time(row['at'], seconds=True)}{actor} "
                f"{row['trigger']}{moved}{reason}",
                highlight=False, soft_wrap=True,
            )
        if not is_admin(viewer):
            return  # what the office still has to do is the office's to see
        # Only the steps of this cycle's procedure, as the case page offers them.
        blocked = actions_now(session, application, viewer)
        if not blocked:
            console.print("final state: nothing more to do")
        for trigger, problems in blocked.items():
            console.print(f"[bold]{trigger}[/]: " + ("ready" if not problems else "waits for"))
            for problem in problems:
                console.print(f"  - {problem}", highlight=False)

    in_transaction(work, dispatch=False)


@case_app.command("advance")
def advance_case(
    application_id: int = application_argument(),
    trigger: str = typer.Argument(..., help="Trigger, e.g. confirm_eligible."),
    reason: str = typer.Option("", help="Reason, recorded in the audit trail."),
    data: str = typer.Option("{}", help="JSON object of extra data for the audit record."),
    actor: str | None = actor_option(),
) -> None:
    """Move one application by TRIGGER; refusals list every unmet condition."""
    who = resolve_actor(actor)
    try:
        extra = json.loads(data)
        assert isinstance(extra, dict)
    except (ValueError, AssertionError):
        from mqa_workflow.cli.console import fail

        fail("--data must be a JSON object", code=2)

    def work(session: Session) -> str:
        step = advance(session, application_id, trigger, acting_user(session, who),
                       reason=reason, data=extra)
        return f"application {application_id}: {step.from_state} → {step.to_state}"

    console.print(in_transaction(work))


@case_app.command("advance-all")
def advance_all_cases(
    trigger: str = typer.Argument(..., help="Trigger to fire on every ready application."),
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str | None = typer.Option(None, "--class", help="Only this class."),
    reason: str = typer.Option("", help="Reason, recorded for each application."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would move."),
    actor: str | None = actor_option(),
) -> None:
    """Advance every application of a cycle (and class) that is ready; say why others aren't."""
    who = resolve_actor(actor)
    db = database()
    with domain_errors():
        with db.session() as session:
            acting_user(session, who)  # a known person, before anything is tried
            cycle_id = get_cycle(session, cycle).id
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"{trigger}", total=None)
            report = advance_all(
                db, cycle_id=cycle_id, award_class=award_class, trigger=trigger, actor_ref=who,
                reason=reason, dry_run=dry_run,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if not dry_run:
            run_queued_work(db)
    _print_report(report)


def _print_report(report: BulkReport) -> None:
    verb = "would move" if report.dry_run else "moved"
    console.print(f"{report.trigger}: {verb} {len(report.moved)}, "
                  f"cannot move {len(report.refused)}")
    if report.moved:
        console.print(f"  {verb}: {', '.join(map(str, report.moved))}")
    for application_id, problems in report.refused.items():
        console.print(f"  application {application_id} cannot move:")
        for problem in problems:
            console.print(f"    - {problem}", highlight=False)


@case_app.command("shortlist")
def shortlist(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str = typer.Option(..., "--class", help="Award class."),
    actor: str | None = actor_option(),
) -> None:
    """After document review: the class's top applications to site visit, the rest out."""
    who = resolve_actor(actor)

    def work(session: Session) -> list[ShortlistEntry]:
        return shortlist_class(session, get_cycle(session, cycle), award_class,
                               acting_user(session, who))

    for entry in in_transaction(work):
        verdict = "site visit" if entry.shortlisted else "not shortlisted"
        console.print(f"#{entry.position} application {entry.application_id}: {entry.total} "
                      f"→ {verdict}")
