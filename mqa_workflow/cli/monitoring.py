"""``mqa queues`` and ``mqa metrics``: the figures operators watch."""

from __future__ import annotations

import json
import time

import typer
from prometheus_client import exposition
from rich.markup import escape

from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.support import database, in_transaction
from mqa_workflow.config import get_settings
from mqa_workflow.monitoring.figures import Figures, collect, summary
from mqa_workflow.monitoring.http import LOOPBACK, metrics_server, parse_credentials
from mqa_workflow.monitoring.metrics import registry_for

metrics_app = typer.Typer(help="Prometheus metrics of queues, tasks, outbox and overdue work.",
                          no_args_is_help=True)


def queues(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per refresh."),
    watch: float = typer.Option(0, "--watch", min=0, metavar="SECONDS",
                                help="Refresh every SECONDS until Ctrl-C (0: once)."),
    iterations: int = typer.Option(0, "--iterations", min=0,
                                   help="With --watch: stop after this many refreshes."),
) -> None:
    """Celery queue depths, workers, running/retried/failed tasks, oldest queued work, outbox
    lag, e-mails, overdue work, and what needs an operator now."""
    shown = 0
    try:
        while True:
            figures = in_transaction(collect, dispatch=False)
            if as_json:
                console.out(json.dumps(summary(figures), ensure_ascii=False), highlight=False)
            else:
                if watch:
                    console.print(f"[bold]{figures.at.isoformat(timespec='seconds')}[/]")
                for line in report(figures):
                    console.print(line, highlight=False)
            shown += 1
            if not watch or shown == iterations:
                return
            time.sleep(watch)
    except KeyboardInterrupt:
        return


def report(figures: Figures) -> list[str]:
    broker = figures.broker
    lines = []
    if broker is None:
        lines.append("broker: none (tasks run in-process)")
    elif not broker.reachable:
        lines.append(f"broker: [red]unreachable[/] ({escape(broker.error)})")
    else:
        depths = ", ".join(f"{queue} {count}" for queue, count in broker.depths.items())
        names = f" ({escape(', '.join(broker.worker_names))})" if broker.worker_names else ""
        lines += [f"queues: {depths}; oldest queued {broker.oldest_queued_seconds:.0f}s",
                  f"workers: {broker.workers}{names}, running tasks: {broker.running}",
                  f"retried tasks: {_totals(broker.retried)}",
                  f"failed tasks: {_totals(broker.failed)}"]
    outbox = figures.outbox
    lines.append(f"outbox: pending {outbox.pending}, failing {outbox.failing}, "
                 f"lag {figures.outbox_lag_seconds:.0f}s")
    email = figures.email
    lines.append(f"e-mail: pending {email.pending} (retrying {email.retrying}), "
                 f"failed {email.failed}, sent {email.sent}")
    overdue = ", ".join(f"{kind} {count}" for kind, count in figures.overdue.items() if count)
    lines.append(f"overdue work: {overdue or 'none'}")
    alerts = "; ".join(a.kind + (f" ({escape(a.detail)})" if a.detail else "")
                       for a in figures.alerts)
    lines.append(f"health: [red]{alerts}[/]" if alerts else "health: [green]ok[/]")
    return lines


def _totals(counts: dict[str, int]) -> str:
    if not counts:
        return "0"
    detail = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    return f"{sum(counts.values())} ({detail})"


@metrics_app.command("show")
def show() -> None:
    """Print the metrics once, in the Prometheus text format."""
    console.out(exposition.generate_latest(registry_for(database())).decode(), end="")


@metrics_app.command("serve")
def serve(
    port: int = typer.Option(9108, help="Port of the /metrics endpoint."),
    address: str = typer.Option("127.0.0.1", help="Address to listen on; any other than the "
                                "loopback needs MQA_METRICS_BASIC_AUTH."),
) -> None:
    """Serve /metrics for Prometheus until interrupted (figures gathered at each scrape),
    behind basic authentication when MQA_METRICS_BASIC_AUTH=user:password is set."""
    login = get_settings().metrics_basic_auth
    if not login and address not in LOOPBACK:
        fail(f"refusing to serve /metrics on {address} without a login: set "
             "MQA_METRICS_BASIC_AUTH=user:password (there is no default password)", code=2)
    try:
        credentials = parse_credentials(login) if login else None
    except ValueError as error:
        fail(f"MQA_METRICS_BASIC_AUTH: {error}", code=2)
    server = metrics_server(registry_for(database()), address, port, credentials)
    console.print(f"serving metrics on http://{address}:{port}/metrics"
                  f"{' (basic authentication)' if credentials else ''}")
    server.serve_forever()
