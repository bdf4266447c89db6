"""``mqa cycle``: award cycles, their deadlines and rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.service import count_by_state
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import acting, actor_option, in_transaction, read_data_file
from mqa_workflow.cycles.models import STAGES, AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.procedure.service import create_checked_cycle
from mqa_workflow.reviews.assignment_service import set_deadline
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.release import release_results

app = typer.Typer(help="Award cycles (评审周期).", no_args_is_help=True)


def _deadlines(values: list[str]) -> dict[str, date]:
    deadlines = {}
    for value in values:
        stage, _, day = value.partition("=")
        try:
            deadlines[stage.strip()] = date.fromisoformat(day.strip())
        except ValueError:
            fail(f"--deadline {value!r}: write STAGE=YYYY-MM-DD (stages: {', '.join(STAGES)})",
                 code=2)
    return deadlines


def _rules(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = read_data_file(path, "rules")
    if not isinstance(data, dict):
        fail(f"{path}: the rules must be a mapping of rule names to values", code=2)
    return data


@app.command("create")
def create(
    year: int = typer.Option(..., help="Award year."),
    classes: str = typer.Option(",".join(CLASS_IDS), help="Comma-separated award classes."),
    deadline: list[str] = typer.Option([], help="STAGE=YYYY-MM-DD; repeat per stage."),
    rules: Path | None = typer.Option(None, help="YAML or JSON file of rules."),
    name: str | None = typer.Option(None, help="Default: 'YEAR年度深圳市市长质量奖'."),
    actor: str | None = actor_option(),
) -> None:
    """Create a cycle; its rules are stored with it and never change with later cycles."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="create cycles")
    data = _rules(rules)

    def work(session: Session) -> AwardCycle:
        return create_checked_cycle(
            session, year=year, classes=[c.strip() for c in classes.split(",") if c.strip()],
            deadlines=_deadlines(deadline), rules=data, name=name,
            actor=admin(session).email)

    cycle = in_transaction(work, dispatch=False, check=admin)
    console.print(f"cycle {cycle.id}: {cycle.name}")


@app.command("show")
def show(cycle: str = typer.Argument(..., help="Cycle id or name.")) -> None:
    """Show a cycle's classes, deadlines, rules and applications by state."""

    def work(session: Session) -> tuple[AwardCycle, dict[tuple[str, str], int]]:
        found = get_cycle(session, cycle)
        return found, count_by_state(session, found.id)

    found, counts = in_transaction(work, dispatch=False)
    console.print(f"[bold]cycle {found.id}: {found.name}[/] (year {found.year})")
    console.print(f"classes: {', '.join(found.classes)}")
    for stage in STAGES:
        console.print(f"  deadline {stage}: {found.deadlines.get(stage, '—')}")
    console.print("rules: " + json.dumps(found.rules_data, ensure_ascii=False))
    table = Table("class", "state", "applications")
    for (award_class, state), count in sorted(counts.items()):
        table.add_row(award_class, state, str(count))
    console.print(table)


@app.command("deadline")
def deadline(
    cycle: str = typer.Argument(..., help="Cycle id or name."),
    stage: str = typer.Argument(..., help=f"One of: {', '.join(STAGES)}."),
    day: str = typer.Argument(..., help="New deadline, YYYY-MM-DD."),
    actor: str | None = actor_option(),
) -> None:
    """Move a stage's deadline; open review assignments of that stage follow it."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="move deadlines")
    new_day = _deadlines([f"{stage}={day}"])[stage]
    moved = in_transaction(lambda s: set_deadline(s, get_cycle(s, cycle), stage, new_day),
                           dispatch=False, check=admin)
    console.print(f"{stage} deadline now {new_day.isoformat()}; {moved} open assignment(s) "
                  "follow it")


@app.command("release-results")
def release_results_command(
    cycle: str = typer.Argument(..., help="Cycle id or name."),
    actor: str | None = actor_option(),
) -> None:
    """Release the cycle's scores, ranks and feedback reports to the applicants (once every
    decision is taken and every public notice has closed); each is told their report is ready."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="release the results")
    release = in_transaction(lambda s: release_results(s, get_cycle(s, cycle), admin(s)))
    console.print(f"results of cycle {release.cycle_id} released; "
                  f"{release.applications} applicant(s) told their feedback report is ready")
