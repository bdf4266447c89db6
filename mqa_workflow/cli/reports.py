"""``mqa report``: feedback reports, the class rankings and the results export."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.cli.console import OutputFormat, console, fail, print_rows
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    application_argument,
    format_option,
    in_transaction,
)
from mqa_workflow.committee.models import OUTCOME_LABELS
from mqa_workflow.committee.service import decision_of
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.permissions import feedback_readable
from mqa_workflow.reports.pdf import feedback_pdf
from mqa_workflow.reports.service import render_feedback
from mqa_workflow.scoring.points import points
from mqa_workflow.scoring.ranking import RankingEntry, cycle_rankings

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
    output: OutputFormat = format_option(),
) -> None:
    """Each class's ranking: every application that reached scoring once (withdrawn and
    ineligible never), shortlisted first, with its stage and the committee's decision."""

    def work(session: Session) -> dict[str, list[dict[str, str]]]:
        found = get_cycle(session, cycle)
        if award_class and award_class not in found.classes:
            fail(f"cycle {found.name} does not run the {award_class!r} class "
                 f"(it runs: {', '.join(found.classes)})", code=2)
        rankings = cycle_rankings(session, found.id,
                                  [award_class] if award_class else list(found.classes))
        return {name: [_ranking_row(session, name, entry) for entry in entries]
                for name, entries in rankings.items() if entries}

    rankings = in_transaction(work, dispatch=False)
    if output is not OutputFormat.TABLE:
        print_rows([row for rows in rankings.values() for row in rows], RANKING_COLUMNS,
                   output)
        return
    if not rankings:
        console.print("no application has reached scoring yet")
    for name, rows in rankings.items():
        table = Table(title=f"{name} ranking", title_justify="left")
        for column in RANKING_COLUMNS[1:]:
            table.add_column(column.replace("_", " "))
        for row in rows:
            table.add_row(*(row[column] for column in RANKING_COLUMNS[1:]))
        console.print(table)


RANKING_COLUMNS = ("class", "rank", "application", "applicant", "shortlisted",
                   "document_review", "final", "stage", "decision")


def _ranking_row(session: Session, award_class: str, entry: RankingEntry) -> dict[str, str]:
    decision = decision_of(session, entry.application)
    frozen = decision.outcome if decision and decision.frozen else None
    return {"class": award_class, "rank": str(entry.position),
            "application": str(entry.application.id), "applicant": entry.application.title,
            "shortlisted": "yes" if entry.shortlisted else "no",
            "document_review": points(entry.document_review_total),
            "final": points(entry.score.total if entry.score else None),
            "stage": f"{entry.stage} {ApplicationState(entry.stage).label}",
            "decision": f"{frozen} {OUTCOME_LABELS[frozen]}" if frozen else "—"}


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
