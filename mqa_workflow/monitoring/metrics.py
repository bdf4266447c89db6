"""Prometheus metrics: the same figures as ``mqa queues``, gathered fresh at each scrape."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.monitoring.figures import Figures, collect


class FiguresCollector(Collector):
    def __init__(self, database: Database, settings: Settings | None = None) -> None:
        self.database, self.settings = database, settings

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        with self.database.session() as session:
            figures = collect(session, self.settings)
        yield from families(figures)


def families(figures: Figures) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
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


def _broker(figures: Figures) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    broker = figures.broker
    up = GaugeMetricFamily("mqa_broker_up", "1 when the Celery broker answered")
    up.add_metric([], 1 if broker and broker.reachable else 0)
    yield up
    if broker is None or not broker.reachable:
        return
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
    for outcome in ("retried", "failed"):
        counter = CounterMetricFamily(f"mqa_tasks_{outcome}", f"Celery tasks {outcome}",
                                      labels=["task"])
        for name, count in getattr(broker, outcome).items():
            counter.add_metric([name], count)
        yield counter


def registry_for(database: Database, settings: Settings | None = None) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FiguresCollector(database, settings))
    return registry
