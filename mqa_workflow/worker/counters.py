"""What the workers record on the broker: retried and failed task counts, task durations,
and the time each task message was published (read back by :mod:`mqa_workflow.worker.broker`).

Celery keeps no totals of retried or failed tasks nor any durations, so the workers record
them in Redis hashes on the broker (signal handlers, one small write per event); every
worker adds to the same hashes, so the figures cover all workers, whatever their pool, and
survive worker restarts. Every task message gets the time it was published in a header, so
the oldest waiting message tells how long work has been queued.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

import redis
from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun, task_retry

from mqa_workflow.config import get_settings

COUNTERS = "mqa:task_counters"
DURATIONS = "mqa:task_durations"
PUBLISHED_AT = "mqa_published_at"
# Seconds; a reviewer assignment may take minutes, an e-mail well under one.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
log = logging.getLogger(__name__)
_started: dict[str, float] = {}  # task id -> monotonic start, in the process running it


@lru_cache(maxsize=4)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def _broker_client() -> redis.Redis | None:
    url = get_settings().broker_url
    return redis_client(url) if url.startswith("redis") else None


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
