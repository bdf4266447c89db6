"""``mqa applicant``: organizations that apply."""

from __future__ import annotations

from pathlib import Path

import typer

from mqa_workflow.accounts.models import Role
from mqa_workflow.applicants.service import (
    IMPORT_COLUMNS,
    TEMPLATE_ROWS,
    add_organization,
    import_organizations,
)
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.imports import run_import, write_template
from mqa_workflow.cli.support import acting, actor_option, in_transaction

app = typer.Typer(help="Applicants (申报主体).", no_args_is_help=True)


def _contact(value: str) -> dict[str, str]:
    parts = [part.strip() for part in value.split(",")]
    if len(parts) < 2 or "@" not in parts[1]:
        fail(f"--contact {value!r}: write NAME,EMAIL[,PHONE]", code=2)
    return {"name": parts[0], "email": parts[1], "phone": parts[2] if len(parts) > 2 else ""}


@app.command("add")
def add(
    name: str = typer.Option(..., help="Registered name."),
    uscc: str = typer.Option(..., help="Unified social credit code (统一社会信用代码)."),
    industry: str = typer.Option(..., help="Industry."),
    district: str = typer.Option(..., help="District of Shenzhen (e.g. 南山区)."),
    parent: str | None = typer.Option(None, help="Parent company's USCC."),
    contact: list[str] = typer.Option([], help="NAME,EMAIL[,PHONE]; repeat for several."),
    actor: str | None = actor_option(),
) -> None:
    """Register an organization; its USCC is checked with its check character."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="register organizations")
    contacts = [_contact(value) for value in contact]
    organization = in_transaction(lambda s: add_organization(
        s, name=name, uscc=uscc, industry=industry, district=district, parent_uscc=parent,
        contacts=contacts,
    ), dispatch=False, check=admin)
    console.print(f"organization {organization.id}: {organization.name} ({organization.uscc})")


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True,
                                help="CSV or XLSX (see `mqa applicant template`)."),
    actor: str | None = actor_option(),
) -> None:
    """Register organizations in bulk: every bad row is reported with its row number and
    nothing is stored unless every row is good (the web's import, the same function)."""
    run_import(file, actor, kind="applicants", required=("name", "uscc"),
               run=lambda s, rows, who: len(import_organizations(s, rows)))


@app.command("template")
def template(out: Path = typer.Option(..., help="Where to write it: a .csv or .xlsx file.")
             ) -> None:
    """Write the applicants' import template with an example row."""
    write_template(out, IMPORT_COLUMNS, TEMPLATE_ROWS, "applicants")
