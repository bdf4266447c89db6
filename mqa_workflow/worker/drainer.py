"""The web server's background worker: drains the outbox outside every request.

A request only commits its outbox rows and wakes the drainer; the drainer, a thread
of the serving process, hands the rows to whoever runs tasks (in-process in the
embedded set-up; with a broker, :func:`dispatch_pending` publishes them, which the
relay service would also do). It also wakes on its own every ``poll_seconds``, so
work backed off after a failure, or committed by another process, is picked up.

Several serving processes each run one: the outbox claims rows with ``SKIP LOCKED``
(PostgreSQL) or takes the write lock in turn (SQLite), so no row runs twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from mqa_workflow.db import Database
from mqa_workflow.outbox.service import RelayRun

log = logging.getLogger(__name__)
Dispatch = Callable[[Database], RelayRun]


class OutboxDrainer:
    """One daemon thread running ``dispatch`` when woken and every ``poll_seconds``."""

    def __init__(self, database: Database, dispatch: Dispatch, poll_seconds: float) -> None:
        self.database = database
        self.dispatch = dispatch
        self.poll_seconds = poll_seconds
        self._condition = threading.Condition()
        self._requested = 0  # wake-ups asked for
        self._finished = 0   # wake-ups whose drain has completed
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def wake_ups(self) -> int:
        """How many drains were asked for (by requests that queued work, or waits)."""
        return self._requested

    def start(self) -> None:
        with self._condition:
            if self.running:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="mqa-outbox-drainer",
                                            daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a drain soon (after a commit); never waits for it."""
        self.start()
        with self._condition:
            self._requested += 1
            self._condition.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wake, then wait until a drain begun after this call has finished.

        For tests and the demo, which look at the work's results right afterwards.
        """
        self.wake()
        deadline = time.monotonic() + timeout
        with self._condition:
            target = self._requested
            while self._finished < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        while True:
            with self._condition:
                if self._requested == self._finished and not self._stopping:
                    self._condition.wait(self.poll_seconds)
                if self._stopping:
                    return
                target = self._requested
            self._drain_once()
            with self._condition:
                self._finished = max(self._finished, target)
                self._condition.notify_all()

    def _drain_once(self) -> None:
        try:
            run = self.dispatch(self.database)
        except Exception:  # the database or broker away: try again at the next wake-up
            log.exception("draining the outbox failed; retrying in %s s", self.poll_seconds)
            return
        if run.failed:
            log.warning("outbox: %d task(s) failed, backed off: %s", run.failed,
                        run.last_error)
