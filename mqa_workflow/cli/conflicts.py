"""``mqa conflict``: conflict profiles (回避信息) of reviewers and committee members, their
bulk import, and the conflicts found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.service import get_user
from mqa_workflow.cli.console import OutputFormat, console, fail, print_rows
from mqa_workflow.cli.support import (
    actor_option,
    format_option,
    in_transaction,
    read_json_object,
    resolve_actor,
)
from mqa_workflow.clock import office_time
from mqa_workflow.reviews.models import ConflictOfInterest
from mqa_workflow.reviews.profiles import (
    ProfileData,
    get_profile,
    import_profiles,
    may_edit,
    only_administrators,
    read_rows,
    set_conflict_profile,
    template_csv,
    template_xlsx,
)

app = typer.Typer(help="Conflict profiles (回避信息) and the conflicts found.",
                  no_args_is_help=True)


def _parts(option: str, value: str, names: tuple[str, ...], required: int) -> dict[str, str]:
    parts = [part.strip() for part in value.split(",")]
    if not required <= len(parts) <= len(names):
        fail(f"--{option} {value!r}: write {','.join(n.upper() for n in names)} "
             f"(the first {required} required)", code=2)
    return dict(zip(names, parts, strict=False))


@app.command("show")
def show(person: str = typer.Argument(..., help="E-mail or id."),
         actor: str | None = actor_option()) -> None:
    """A person's conflict profile as JSON."""
    who = resolve_actor(actor)

    def work(session: Session) -> dict[str, Any]:
        target = get_user(session, person)
        may_edit(get_user(session, who), target)
        return get_profile(session, target).as_dict()

    console.print_json(json.dumps(in_transaction(work, dispatch=False), ensure_ascii=False))


@app.command("set")
def set_profile(
    person: str = typer.Argument(..., help="E-mail or id of a reviewer or committee member."),
    file: Path | None = typer.Option(None, help="A whole profile as JSON (see `show`)."),
    employer: str | None = typer.Option(None, help="Current employer's USCC."),
    industry: str | None = typer.Option(None, help="The person's own industry."),
    district: str | None = typer.Option(None, help="The person's own district."),
    employment: list[str] = typer.Option([], help="USCC,NAME,START[,END]; repeat."),
    relationship: list[str] = typer.Option([], help="USCC,KIND[,NOTE] (亲属, 顾问 …); repeat."),
    engagement: list[str] = typer.Option(
        [], help="USCC,NAME,KIND,START[,END] — consulting or coaching (咨询/辅导); repeat."),
    shareholding: list[str] = typer.Option([], help="USCC,NAME[,SHARE]; repeat."),
    actor: str | None = actor_option(),
) -> None:
    """Enter a person's conflict profile; a list given replaces that list, the rest stays.
    The person is checked against every application in review at once."""
    who = resolve_actor(actor)
    changes: dict[str, Any] = {}
    if file is not None:  # UTF-8 or refused with how to save it, as every input file
        changes = read_json_object(file, "conflict profile")
        if set(changes) - set(ProfileData().as_dict()):
            fail(f"{file}: a JSON object with keys {', '.join(ProfileData().as_dict())}", code=2)
    scalars = {"employer_uscc": employer, "industry": industry, "district": district}
    changes |= {k: v for k, v in scalars.items() if v is not None}
    lists = {
        "employments": [_parts("employment", v, ("uscc", "name", "start", "end"), 3)
                        for v in employment],
        "relationships": [_parts("relationship", v, ("uscc", "kind", "note"), 2)
                          for v in relationship],
        "engagements": [_parts("engagement", v, ("uscc", "name", "kind", "start", "end"), 4)
                        for v in engagement],
        "shareholdings": [_parts("shareholding", v, ("uscc", "name", "share"), 2)
                          for v in shareholding],
    }
    changes |= {k: v for k, v in lists.items() if v}

    def work(session: Session) -> str:
        target = get_user(session, person)
        may_edit(get_user(session, who), target)
        data = get_profile(session, target).as_dict() | changes
        set_conflict_profile(session, target, ProfileData(**data), actor=who)
        return target.name

    console.print(f"conflict profile of {in_transaction(work)} saved and checked")


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True,
                                help="CSV or XLSX (see `mqa conflict template`)."),
    actor: str | None = actor_option(),
) -> None:
    """Import conflict profiles in bulk: every bad row is reported with its row number and
    nothing is stored unless every row is good. Each person named is replaced whole."""
    who = resolve_actor(actor)

    def work(session: Session) -> str:
        only_administrators(get_user(session, who))
        result = import_profiles(session, read_rows(file.name, file.read_bytes()), actor=who)
        return f"{result.records} record(s) of {result.people} person(s) imported and checked"

    console.print(in_transaction(work))


@app.command("template")
def template(out: Path = typer.Option(..., help="Where to write it: a .csv or .xlsx file.")
             ) -> None:
    """Write the import template with example rows."""
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(template_xlsx())
    elif out.suffix.lower() == ".csv":
        out.write_text(template_csv(), encoding="utf-8-sig")
    else:
        fail(f"{out}: name a .csv or .xlsx file", code=2)
    console.print(f"template written to {out}")


@app.command("list")
def list_conflicts(application: int | None = typer.Option(None, help="Only this application."),
                   person: str | None = typer.Option(None, help="Only this person."),
                   output: OutputFormat = format_option()) -> None:
    """The conflicts found or declared: who, which application, rule, reason, when
    (Beijing time)."""

    def work(session: Session) -> list[dict[str, str]]:
        query = select(ConflictOfInterest).order_by(ConflictOfInterest.id)
        if application:
            query = query.where(ConflictOfInterest.application_id == application)
        if person:
            query = query.where(ConflictOfInterest.user_id == get_user(session, person).id)
        rows = []
        for found in session.scalars(query):
            user = get_user(session, found.user_id)
            rows.append({"person": user.email, "application": found.application_id,
                         "rule": found.rule, "reason": found.reason,
                         "found_beijing": office_time(found.found_at)})
        return rows

    print_rows(in_transaction(work, dispatch=False),
               ("person", "application", "rule", "reason", "found_beijing"), output)
