"""The ``mqa`` command line: a thin shell over the domain packages.

Each domain keeps its own commands in its ``cli.py``; this module only mounts
them, so adding a domain never means editing another domain's commands.
"""

from __future__ import annotations

import typer

from mqa_workflow.scoring.cli import app as score_app
from mqa_workflow.standards.cli import app as standards_app

app = typer.Typer(
    help="mqa-workflow: run the Shenzhen Mayor Quality Award (深圳市市长质量奖) end to end.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(standards_app, name="standards")
app.add_typer(score_app, name="score")


def main() -> None:
    app()
