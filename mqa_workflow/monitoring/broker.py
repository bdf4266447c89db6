"""What the broker knows: queue depths, running tasks, retried and failed task counts.

Celery keeps no totals of retried or failed tasks, so the workers count them in
a Redis hash on the broker (signal handlers, one increment per event); every
worker adds to the same hash, and the counts survive worker restarts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import redis
from celery.signals import task_failure, task_retry

from mqa_workflow.config import Settings, get_settings

COUNTERS = "mqa:task_counters"
QUEUES = ("work", "notifications")
log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def _count(outcome: str, sender: Any) -> None:
    url = get_settings().broker_url
    if not url.startswith("redis"):
        return
    name = getattr(sender, "name", None) or str(sender)
    try:
        _client(url).hincrby(COUNTERS, f"{outcome}:{name}", 1)
    except redis.RedisError as error:  # monitoring must never fail the task itself
        log.warning("could not count a %s task: %s", outcome, error)


def _on_retry(sender: Any = None, **_: Any) -> None:
    _count("retried", sender)


def _on_failure(sender: Any = None, **_: Any) -> None:
    _count("failed", sender)


def connect_task_counters() -> None:
    task_retry.connect(_on_retry, weak=False, dispatch_uid="mqa-count-retried")
    task_failure.connect(_on_failure, weak=False, dispatch_uid="mqa-count-failed")


@dataclass
class BrokerFigures:
    reachable: bool
    depths: dict[str, int] = field(default_factory=dict)
    workers: int = 0
    running: int = 0
    retried: dict[str, int] = field(default_factory=dict)  # task name -> retries so far
    failed: dict[str, int] = field(default_factory=dict)
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
                                depths={queue: int(client.llen(queue)) for queue in QUEUES})
        for key, value in client.hgetall(COUNTERS).items():
            outcome, _, name = key.decode().partition(":")
            getattr(figures, outcome, {})[name] = int(value)
    except redis.RedisError as error:
        return BrokerFigures(reachable=False, error=f"{type(error).__name__}: {error}")
    figures.workers, figures.running = _running(settings, inspect_timeout)
    return figures


def _running(settings: Settings, timeout: float) -> tuple[int, int]:
    """Workers that answered, and the tasks they are running now."""
    from mqa_workflow.tasks.celery_app import make_celery

    replies = make_celery(settings).control.inspect(timeout=timeout).active() or {}
    return len(replies), sum(len(tasks) for tasks in replies.values())
