"""Prometheus metrics: the same figures as ``mqa queues``, gathered fresh at each scrape."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.monitoring.figures import ALERT_KINDS, Figures, collect
from mqa_workflow.worker.broker import BrokerFigures, TaskDurations

Family = GaugeMetricFamily | CounterMetricFamily | HistogramMetricFamily


class FiguresCollector(Collector):
    def __init__(self, database: Database, settings: Settings | None = None) -> None:
        self.database, self.settings = database, settings

    def collect(self) -> Iterator[Family]:
        with self.database.session() as session:
            figures = collect(session, self.settings)
        yield from families(figures)


def families(figures: Figures) -> Iterator[Family]:
    yield from _broker(figures)
    outbox = GaugeMetricFamily("mqa_outbox_pending", "Outbox rows not yet handed over")
    outbox.add_metric([], figures.outbox.pending)
    yield outbox
    failing = GaugeMetricFamily("mqa_outbox_failing", "Pending outbox rows that failed before")
    failing.add_metric([], figures.outbox.failing)
    yield failing
    lag = GaugeMetricFamily("mqa_outbox_lag_seconds", "Age of the oldest pending outbox row")
    lag.add_metric([], figures.outbox_lag_seconds)
    yield lag
    email = GaugeMetricFamily("mqa_email_deliveries", "E-mail deliveries by status",
                              labels=["status"])
    for status in ("pending", "retrying", "failed", "sent"):
        email.add_metric([status], getattr(figures.email, status))
    yield email
    overdue = GaugeMetricFamily("mqa_overdue_work", "Open work past its deadline",
                                labels=["kind"])
    for kind, count in figures.overdue.items():
        overdue.add_metric([kind], count)
    yield overdue
    oldest = GaugeMetricFamily("mqa_oldest_queued_seconds",
                               "Age of the oldest work not yet started (broker or outbox)")
    oldest.add_metric([], figures.oldest_queued_seconds)
    yield oldest
    alert = GaugeMetricFamily("mqa_alert", "1 when /ops shows this alert (red)", labels=["kind"])
    raised = {a.kind for a in figures.alerts}
    for kind in ALERT_KINDS:
        alert.add_metric([kind], 1 if kind in raised else 0)
    yield alert


def _broker(figures: Figures) -> Iterator[Family]:
    broker = figures.broker
    up = GaugeMetricFamily("mqa_broker_up", "1 when the Celery broker answered")
    up.add_metric([], 1 if broker and broker.reachable else 0)
    yield up
    if broker is None:  # tasks run in-process: no Celery task ever retried or failed
        yield from _task_counters(BrokerFigures(reachable=True))
        return
    if not broker.reachable:
        return  # unknown, not zero: an absent series, so no false counter reset
    depth = GaugeMetricFamily("mqa_queue_depth", "Messages waiting in a Celery queue",
                              labels=["queue"])
    for queue, count in broker.depths.items():
        depth.add_metric([queue], count)
    yield depth
    running = GaugeMetricFamily("mqa_tasks_running", "Tasks the workers are running now")
    running.add_metric([], broker.running)
    yield running
    workers = GaugeMetricFamily("mqa_workers", "Celery workers that answered")
    workers.add_metric([], broker.workers)
    yield workers
    yield from _task_counters(broker)


def task_names() -> list[str]:
    """Every task a worker may run: each counter starts at zero for each of them."""
    from mqa_workflow.outbox.registry import periodic_tasks
    from mqa_workflow.worker.collect import collect

    return sorted({*collect(), *periodic_tasks()})


def _task_counters(broker: BrokerFigures) -> Iterator[Family]:
    names = task_names()
    for outcome in ("retried", "failed"):
        counter = CounterMetricFamily(f"mqa_tasks_{outcome}", f"Celery tasks {outcome}",
                                      labels=["task"])
        counts = dict.fromkeys(names, 0) | getattr(broker, outcome)
        for name, count in sorted(counts.items()):
            counter.add_metric([name], count)
        yield counter
    durations = HistogramMetricFamily(
        "mqa_task_duration_seconds", "How long workers took to run each task, by final state",
        labels=["task", "state"])
    series = {(name, "SUCCESS"): None for name in names} | broker.durations
    for (task, state), histogram in sorted(series.items()):
        if histogram is None:
            histogram = TaskDurations()
        durations.add_metric([task, state], histogram.cumulative(), histogram.sum)
    yield durations


def registry_for(database: Database, settings: Settings | None = None) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FiguresCollector(database, settings))
    return registry
