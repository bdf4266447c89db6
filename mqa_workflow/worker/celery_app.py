"""The Celery application: one thin Celery task per registered domain task.

Start a worker with ``celery -A mqa_workflow.worker.celery_app worker``. Tasks
acknowledge late and are rejected back to the queue when their worker dies, so
a killed worker's task is redelivered; the idempotency key makes that safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from celery import Celery, Task

from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import get_database
from mqa_workflow.outbox import registry
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.worker.collect import collect
from mqa_workflow.worker.counters import connect_task_counters
from mqa_workflow.worker.periodic import bind_periodic

NOTIFICATION_QUEUE = "notifications"
WORK_QUEUE = "work"


def make_celery(settings: Settings) -> Celery:
    app = Celery("mqa_workflow", broker=settings.broker_url or "memory://",
                 backend=settings.result_backend or None)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=600,
        task_soft_time_limit=540,
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_redelivery_options(settings.visibility_timeout),
        task_routes={"notifications.*": {"queue": NOTIFICATION_QUEUE}},
        task_default_queue=WORK_QUEUE,
        # Task events (as `worker -E`) and a sent event per task: Flower sees every task,
        # from being queued to its end, whatever command line started the worker.
        worker_send_task_events=True,
        task_send_sent_event=True,
    )
    for name in collect():
        _bind(app, name)
    for name in registry.batched_tasks():
        _bind_batch(app, name)
    bind_periodic(app, settings)  # beat: `celery -A mqa_workflow.worker.celery_app beat`
    connect_task_counters()
    return app


def _redelivery_options(visibility_timeout: int) -> dict[str, int]:
    """Redis keeps a delivered task until it is acknowledged; one whose worker died (even
    SIGKILL) goes back to the queue ``visibility_timeout`` seconds after delivery, when a
    live worker next sweeps. Kombu's default sweep runs only every ~100 s; sweeping every
    tenth of the timeout (1–10 s, one cheap ZRANGE) keeps recovery close to the timeout."""
    return {"visibility_timeout": visibility_timeout,
            "unacked_restore_interval": min(10, max(1, visibility_timeout // 10)),
            "unacked_restore_throttle": 1}


def _bind(app: Celery, name: str) -> None:
    # WorkFailed: the work failed but its failure and retry are kept in the database, so the
    # task ends FAILURE at once instead of being retried by Celery on top of that schedule.
    @app.task(name=name, bind=True, autoretry_for=(Exception,), retry_backoff=True,
              retry_backoff_max=300, max_retries=8, dont_autoretry_for=(registry.WorkFailed,))
    def run(self: Task, payload: dict[str, Any], idempotency_key: str) -> bool:
        return registry.run(get_database(), name, payload, idempotency_key)


def _bind_batch(app: Celery, name: str) -> None:
    """The batch form of task ``name``: ``items`` are the rows' ``[payload, key]`` pairs.
    Retried as a whole; the keys already done make a retry skip what committed."""
    @app.task(name=name + registry.BATCH_SUFFIX, bind=True, autoretry_for=(Exception,),
              retry_backoff=True, retry_backoff_max=300, max_retries=8)
    def run(self: Task, items: list[list[Any]]) -> int:
        return registry.run_batch(get_database(), name,
                                  [(payload, key) for payload, key in items])


class CelerySender:
    """Publishes outbox rows; a call raises when the broker cannot take the row.

    No result is kept: the work's own rows and ``processed_tasks`` say it is done. With a
    Redis result backend, a kept result would also make every send subscribe to it first,
    which with Redis down retries for ~19 s before failing: an administrator's command
    would hang that long instead of leaving the work in the outbox and returning.

    ``with sender.batch():`` publishes every row inside it on one producer (see
    :meth:`batch`), instead of taking one from the pool and talking to the broker per row."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        # The tasks whose rows go out together, as one message of their batch form (the
        # app bound those forms, after collecting every domain's tasks).
        self.batchable = frozenset(registry.batched_tasks())
        self._checked = False
        self._producer: Any = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Publish on one producer; on Redis, kombu's publish batch also buffers every
        row's commands (the task and its "sent" event) in one pipeline, sent when the block
        ends: one round trip per batch instead of two per row. A block that fails sends
        nothing it buffered; the relay then leaves the whole batch pending."""
        with self.app.producer_or_acquire() as producer:
            self._check(producer.connection)
            grouped = producer.batch() if hasattr(producer, "batch") else nullcontext()
            with grouped:
                self._producer = producer
                try:
                    yield
                finally:
                    self._producer = None

    def __call__(self, message: OutboxMessage) -> None:
        if self._producer is None:
            with self.batch():
                self._publish(message)
        else:
            self._publish(message)

    def _check(self, connection: Any) -> None:
        if not self._checked:
            # One quick look at the broker per relay round: with Redis down, Celery's own
            # connection retries would hold the administrator's command for seconds.
            connection.ensure_connection(max_retries=1, interval_start=0.2,
                                         interval_step=0.2, timeout=2)
            self._checked = True

    def many(self, messages: list[OutboxMessage]) -> None:
        """Several rows of one task with a batch form, as one message of that form."""
        if self._producer is None:
            with self.batch():
                self._publish_many(messages)
        else:
            self._publish_many(messages)

    def _publish_many(self, messages: list[OutboxMessage]) -> None:
        items = [[message.payload, message.idempotency_key] for message in messages]
        self.app.send_task(
            messages[0].task + registry.BATCH_SUFFIX, kwargs={"items": items}, retry=False,
            ignore_result=True, producer=self._producer, argsrepr="()",
            kwargsrepr=f"{{'items': {len(items)} rows, first {messages[0].idempotency_key!r}}}")

    def _publish(self, message: OutboxMessage) -> None:
        kwargs = {"payload": message.payload, "idempotency_key": message.idempotency_key}
        self.app.send_task(
            message.task, kwargs=kwargs, retry=False, ignore_result=True,
            producer=self._producer,
            # What Flower and the logs show, as Celery would (its saferepr, in pure Python,
            # cost more than the rest of the publish); the arguments are small JSON.
            argsrepr="()", kwargsrepr=repr(kwargs)[:1024],
        )


def sender(app: Celery) -> CelerySender:
    return CelerySender(app)


_APPS: dict[tuple[str, str, int], Celery] = {}


def app_for(settings: Settings) -> Celery:
    """The Celery app for these settings' broker, built once per process: building one
    binds every task again, far more than publishing a batch of rows costs."""
    key = (settings.broker_url, settings.result_backend or "", settings.visibility_timeout)
    if key not in _APPS:
        _APPS[key] = make_celery(settings)
    return _APPS[key]


celery_app = make_celery(get_settings())
