"""What the ``import`` and ``template`` commands share: the file read as the web reads it
(``reviews.profiles.read_rows``), the domain's import in one transaction, audited as the
web's bulk import is, and the template written as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.audit import service as audit
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import acting, in_transaction
from mqa_workflow.reviews.profiles import read_rows, template_csv, template_xlsx


def run_import(file: Path, actor: str | None, *, kind: str, required: Sequence[str],
               run: Callable[[Session, Sequence[Mapping[str, str]], str], int]) -> None:
    admin = acting(actor, Role.ADMINISTRATOR, doing=f"import {kind}")

    def work(session: Session) -> int:
        who = admin(session).email
        count = run(session, read_rows(file.name, file.read_bytes(), required), who)
        audit.append(session, actor=who, trigger="bulk_import",
                     reason=f"{count} {kind} imported from {file.name}",
                     data={"kind": kind, "file": file.name, "imported": count})
        return count

    console.print(f"{in_transaction(work, check=admin)} {kind} imported from {file}")


def write_template(out: Path, columns: Sequence[str], rows: Sequence[Sequence[str]],
                   title: str) -> None:
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(template_xlsx(columns, rows, title))
    elif out.suffix.lower() == ".csv":
        out.write_text(template_csv(columns, rows), encoding="utf-8-sig")
    else:
        fail(f"{out}: name a .csv or .xlsx file", code=2)
    console.print(f"template written to {out}")
