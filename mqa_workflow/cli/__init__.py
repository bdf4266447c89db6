"""The ``mqa`` command line: a thin shell over the domain packages.

Each domain keeps its own commands in its ``cli.py``; this module only mounts
them, so adding a domain never means editing another domain's commands.
"""

from __future__ import annotations

import typer

from mqa_workflow.cli.accounts import app as user_app
from mqa_workflow.cli.applicants import app as applicant_app
from mqa_workflow.cli.applications import app as application_app
from mqa_workflow.cli.audit import app as audit_app
from mqa_workflow.cli.committee import app as committee_app
from mqa_workflow.cli.conflicts import app as conflict_app
from mqa_workflow.cli.cycles import app as cycle_app
from mqa_workflow.cli.deadlines import app as deadlines_app
from mqa_workflow.cli.demo import demo
from mqa_workflow.cli.migrations import app as db_app
from mqa_workflow.cli.monitoring import metrics_app, queues
from mqa_workflow.cli.notifications import app as notify_app
from mqa_workflow.cli.notifications import inbox
from mqa_workflow.cli.outbox import app as outbox_app
from mqa_workflow.cli.procedure import (
    candidates_app,
    defence_app,
    eligibility_app,
    fairness_app,
    notice_app,
    social_app,
)
from mqa_workflow.cli.reports import app as report_app
from mqa_workflow.cli.reviews import review_app, reviewer_app, sitevisit_app
from mqa_workflow.cli.scoring import app as score_app
from mqa_workflow.cli.standards import app as standards_app
from mqa_workflow.cli.states import case_app, states_app
from mqa_workflow.cli.web import password as web_password
from mqa_workflow.cli.web import serve
from mqa_workflow.cli.web import unlock as web_unlock

app = typer.Typer(
    help="mqa-workflow: run the Shenzhen Mayor Quality Award (深圳市市长质量奖) end to end.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(standards_app, name="standards")
app.add_typer(score_app, name="score")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(cycle_app, name="cycle")
app.add_typer(applicant_app, name="applicant")
app.add_typer(application_app, name="application")
app.add_typer(case_app, name="case")
app.add_typer(states_app, name="states")
app.add_typer(audit_app, name="audit")
app.add_typer(outbox_app, name="outbox")
app.add_typer(reviewer_app, name="reviewer")
app.add_typer(conflict_app, name="conflict")
app.add_typer(review_app, name="review")
app.add_typer(sitevisit_app, name="sitevisit")
app.add_typer(committee_app, name="committee")
app.add_typer(report_app, name="report")
app.add_typer(eligibility_app, name="eligibility")
app.add_typer(defence_app, name="defence")
app.add_typer(social_app, name="social")
app.add_typer(candidates_app, name="candidates")
app.add_typer(notice_app, name="notice")
app.add_typer(fairness_app, name="fairness")
app.command("demo")(demo)
app.add_typer(deadlines_app, name="deadlines")
app.add_typer(notify_app, name="notify")
app.command("inbox")(inbox)
app.command("queues")(queues)
app.add_typer(metrics_app, name="metrics")
app.command("serve")(serve)
user_app.command("password")(web_password)
user_app.command("unlock")(web_unlock)


def main() -> None:
    app()
