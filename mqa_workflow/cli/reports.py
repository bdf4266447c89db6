"""``mqa report``: feedback reports, the class rankings and the results export."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import acting, actor_option, application_argument, in_transaction
from mqa_workflow.committee.models import OUTCOME_LABELS
from mqa_workflow.committee.service import decision_of
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.permissions import feedback_readable
from mqa_workflow.reports.pdf import feedback_pdf
from mqa_workflow.reports.service import render_feedback
from mqa_workflow.scoring.points import points
from mqa_workflow.scoring.ranking import cycle_rankings

app = typer.Typer(help="Feedback reports (反馈报告), rankings (排名) and the results export.",
                  no_args_is_help=True)


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


@app.command("feedback")
def feedback(
    application_id: int = application_argument(),
    output: Path = typer.Option(..., "--output", "--out", "-o",
                                help="Where to write the report."),
    format: ReportFormat = typer.Option(ReportFormat.HTML, "--format",
                                        help="html (with its print stylesheet) or pdf."),
    actor: str | None = actor_option(),
) -> None:
    """Write an application's feedback report: category, sub-category and item points with
    their bands, the charts, the team's agreed strengths and opportunities, the site-visit
    findings (the office any time; the applicant once the results are released, as the web)."""
    who = acting(actor)

    def work(session: Session) -> bytes:
        application = feedback_readable(session, who(session), application_id)
        if format == ReportFormat.PDF:
            return feedback_pdf(session, application)
        return render_feedback(session, application).encode("utf-8")

    output.write_bytes(in_transaction(work, dispatch=False))
    console.print(f"feedback report ({format.value}) written to {output}")


@app.command("ranking")
def ranking(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str | None = typer.Option(None, "--class", help="One class only."),
) -> None:
    """Each class's ranking: every application that reached scoring once (withdrawn and
    ineligible never), shortlisted first, with its stage and the committee's decision."""

    def work(session: Session) -> list[Table]:
        found = get_cycle(session, cycle)
        if award_class and award_class not in found.classes:
            fail(f"cycle {found.name} does not run the {award_class!r} class "
                 f"(it runs: {', '.join(found.classes)})", code=2)
        tables = []
        for name, entries in cycle_rankings(session, found.id,
                                            [award_class] if award_class else
                                            list(found.classes)).items():
            table = Table(title=f"{name} ranking", title_justify="left")
            for column in ("rank", "application", "applicant", "shortlisted",
                           "document review", "final", "stage", "decision"):
                table.add_column(column)
            for entry in entries:
                decision = decision_of(session, entry.application)
                frozen = decision.outcome if decision and decision.frozen else None
                table.add_row(
                    str(entry.position), str(entry.application.id), entry.application.title,
                    "yes" if entry.shortlisted else "no",
                    points(entry.document_review_total),
                    points(entry.score.total if entry.score else None),
                    f"{entry.stage} {ApplicationState(entry.stage).label}",
                    f"{frozen} {OUTCOME_LABELS[frozen]}" if frozen else "—")
            tables.append(table)
        return tables

    tables = in_transaction(work, dispatch=False)
    if not tables:
        console.print("no application has reached scoring yet")
    for table in tables:
        console.print(table)



@app.command("export")
def export(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    out: Path = typer.Option(..., help="Where to write the file."),
    format: ExportFormat = typer.Option(ExportFormat.CSV, help="csv or xlsx."),
) -> None:
    """The cycle's results, as the web export gives them (the same rows and decisions)."""
    from mqa_workflow.web.exports import as_csv, as_xlsx

    def work(session: Session) -> bytes:
        found = get_cycle(session, cycle)
        return (as_xlsx if format == ExportFormat.XLSX else as_csv)(session, found.id)

    out.write_bytes(in_transaction(work, dispatch=False))
    console.print(f"results written to {out}")
