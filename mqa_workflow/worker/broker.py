"""What the broker knows: queue depths and the age of their oldest message, the workers that
answer, running tasks, and the retried and failed task counts and task durations the
workers record there (:mod:`mqa_workflow.worker.counters`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import redis

from mqa_workflow.config import Settings, get_settings
from mqa_workflow.worker.counters import (
    COUNTERS,
    DURATION_BUCKETS,
    DURATIONS,
    PUBLISHED_AT,
    redis_client,
)

QUEUES = ("work", "notifications")


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
    client = redis_client(settings.broker_url)
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
    # Imported when asked: importing the app module builds the app and binds every task.
    from mqa_workflow.worker.celery_app import make_celery

    control = make_celery(settings).control
    names = sorted({name for reply in control.ping(timeout=timeout) or [] for name in reply})
    if not names:
        return [], 0
    # Asking those workers only: the answer comes as soon as each has replied.
    replies = control.inspect(destination=names, timeout=timeout, limit=len(names)
                              ).active() or {}
    return names, sum(len(tasks) for tasks in replies.values())
