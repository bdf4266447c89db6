"""What the broker knows: queue depths and the age of their oldest message, the workers that
answer, running tasks, retried and failed task counts, and task durations.

Celery keeps no totals of retried or failed tasks nor any durations, so the workers record
them in Redis hashes on the broker (signal handlers, one small write per event); every
worker adds to the same hashes, so the figures cover all workers, whatever their pool, and
survive worker restarts. Every task message gets the time it was published in a header, so
the oldest waiting message tells how long work has been queued.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import redis
from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun, task_retry

from mqa_workflow.config import Settings, get_settings

COUNTERS = "mqa:task_counters"
DURATIONS = "mqa:task_durations"
QUEUES = ("work", "notifications")
PUBLISHED_AT = "mqa_published_at"
# Seconds; a reviewer assignment may take minutes, an e-mail well under one.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
log = logging.getLogger(__name__)
_started: dict[str, float] = {}  # task id -> monotonic start, in the process running it


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def _broker_client() -> redis.Redis | None:
    url = get_settings().broker_url
    return _client(url) if url.startswith("redis") else None


def _count(outcome: str, sender: Any) -> None:
    client = _broker_client()
    if client is None:
        return
    name = getattr(sender, "name", None) or str(sender)
    try:
        client.hincrby(COUNTERS, f"{outcome}:{name}", 1)
    except redis.RedisError as error:  # monitoring must never fail the task itself
        log.warning("could not count a %s task: %s", outcome, error)


def _on_retry(sender: Any = None, **_: Any) -> None:
    _count("retried", sender)


def _on_failure(sender: Any = None, **_: Any) -> None:
    _count("failed", sender)


def _on_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        headers.setdefault(PUBLISHED_AT, time.time())


def _on_prerun(task_id: str = "", **_: Any) -> None:
    _started[task_id] = time.monotonic()


def _on_postrun(task_id: str = "", task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id, None)
    client = _broker_client()
    if started is None or client is None:
        return
    seconds = time.monotonic() - started
    series = f"{getattr(task, 'name', task)}|{state or 'UNKNOWN'}"
    bucket = next((str(le) for le in DURATION_BUCKETS if seconds <= le), "+Inf")
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.hincrby(DURATIONS, f"{series}|le={bucket}", 1)
            pipe.hincrby(DURATIONS, f"{series}|count", 1)
            pipe.hincrbyfloat(DURATIONS, f"{series}|sum", seconds)
            pipe.execute()
    except redis.RedisError as error:
        log.warning("could not record a task's duration: %s", error)


def connect_task_counters() -> None:
    task_retry.connect(_on_retry, weak=False, dispatch_uid="mqa-count-retried")
    task_failure.connect(_on_failure, weak=False, dispatch_uid="mqa-count-failed")
    before_task_publish.connect(_on_publish, weak=False, dispatch_uid="mqa-published-at")
    task_prerun.connect(_on_prerun, weak=False, dispatch_uid="mqa-duration-start")
    task_postrun.connect(_on_postrun, weak=False, dispatch_uid="mqa-duration-end")


@dataclass
class TaskDurations:
    """One task's histogram: counts per bucket upper bound (not cumulative), count, sum."""
    buckets: dict[str, int] = field(default_factory=dict)
    count: int = 0
    sum: float = 0.0

    def cumulative(self) -> list[tuple[str, int]]:
        running, out = 0, []
        for le in [*map(str, DURATION_BUCKETS), "+Inf"]:
            running += self.buckets.get(le, 0)
            out.append((le, running))
        return out


@dataclass
class BrokerFigures:
    reachable: bool
    depths: dict[str, int] = field(default_factory=dict)
    oldest_queued_seconds: float = 0.0  # age of the oldest message waiting in any queue
    workers: int = 0
    worker_names: list[str] = field(default_factory=list)
    running: int = 0
    retried: dict[str, int] = field(default_factory=dict)  # task name -> retries so far
    failed: dict[str, int] = field(default_factory=dict)
    durations: dict[tuple[str, str], TaskDurations] = field(default_factory=dict)
    error: str = ""


def broker_figures(settings: Settings | None = None, inspect_timeout: float = 1.0
                   ) -> BrokerFigures | None:
    """None when tasks run in-process (no broker to ask)."""
    settings = settings or get_settings()
    if not settings.broker_url.startswith("redis"):
        return None
    client = _client(settings.broker_url)
    try:
        figures = BrokerFigures(reachable=True,
                                depths={queue: int(client.llen(queue)) for queue in QUEUES},
                                oldest_queued_seconds=_oldest_queued(client, time.time()))
        for key, value in client.hgetall(COUNTERS).items():
            outcome, _, name = key.decode().partition(":")
            getattr(figures, outcome, {})[name] = int(value)
        figures.durations = _durations(client.hgetall(DURATIONS))
    except redis.RedisError as error:
        return BrokerFigures(reachable=False, error=f"{type(error).__name__}: {error}")
    figures.worker_names, figures.running = _workers(settings, inspect_timeout)
    figures.workers = len(figures.worker_names)
    return figures


def _oldest_queued(client: redis.Redis, at: float) -> float:
    """Kombu pushes new messages at the head of the list and workers take from the tail:
    the tail is each queue's oldest message."""
    oldest = 0.0
    for queue in QUEUES:
        raw = client.lindex(queue, -1)
        published = _published_at(raw) if raw else None
        if published is not None:
            oldest = max(oldest, at - published)
    return oldest


def _published_at(raw: bytes) -> float | None:
    try:
        value = json.loads(raw).get("headers", {}).get(PUBLISHED_AT)
    except (ValueError, AttributeError):
        return None  # not a message we published (or not JSON): no age to tell
    return float(value) if isinstance(value, int | float) else None


def _durations(raw: dict[bytes, bytes]) -> dict[tuple[str, str], TaskDurations]:
    durations: dict[tuple[str, str], TaskDurations] = {}
    for key, value in raw.items():
        task, state, part = key.decode().split("|", 2)
        series = durations.setdefault((task, state), TaskDurations())
        if part == "count":
            series.count = int(value)
        elif part == "sum":
            series.sum = float(value)
        else:
            series.buckets[part.removeprefix("le=")] = int(value)
    return durations


def _workers(settings: Settings, timeout: float) -> tuple[list[str], int]:
    """The workers that answered a ping, and the tasks they are running now."""
    from mqa_workflow.tasks.celery_app import make_celery

    control = make_celery(settings).control
    names = sorted({name for reply in control.ping(timeout=timeout) or [] for name in reply})
    if not names:
        return [], 0
    # Asking those workers only: the answer comes as soon as each has replied.
    replies = control.inspect(destination=names, timeout=timeout, limit=len(names)
                              ).active() or {}
    return names, sum(len(tasks) for tasks in replies.values())
