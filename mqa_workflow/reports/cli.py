"""``mqa report``: feedback reports."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.orm import Session

from mqa_workflow.cli_support import acting, actor_option, in_transaction
from mqa_workflow.console import console, fail
from mqa_workflow.permissions import editable, refuse_unless_released
from mqa_workflow.reports.service import NO_FEEDBACK_STATES, render_feedback

app = typer.Typer(help="Feedback reports (反馈报告).", no_args_is_help=True)


@app.command("feedback")
def feedback(
    application_id: int = typer.Argument(..., help="Application id."),
    out: Path = typer.Option(..., help="Where to write the HTML report."),
    actor: str | None = actor_option(),
) -> None:
    """Render an application's feedback report: item scores, bands, strengths, opportunities
    (the office any time; the applicant once the cycle's results are released, as the web)."""
    who = acting(actor)

    def work(session: Session) -> str:
        viewer = who(session)
        application = editable(session, viewer, application_id)
        refuse_unless_released(viewer, application)
        if application.state in NO_FEEDBACK_STATES:
            fail(f"application {application_id} is {application.state}; feedback comes after "
                 "document review", code=4)
        return render_feedback(session, application)

    out.write_text(in_transaction(work, dispatch=False), encoding="utf-8")
    console.print(f"feedback report written to {out}")
