"""Load through real HTTP: a uvicorn server process, closed-loop and open-loop clients.

Shared by the overload test and ``bench/overload.py``. Open loop means requests are
sent on a fixed schedule whatever the server answers (as independent users do), so
a server that slows down gets no relief from its clients, unlike a closed loop.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.services import REPO, free_port, stop, wait_for

#  (method, path, bearer token, JSON body)
Call = tuple[str, str, str, dict[str, object] | None]


@contextmanager
def server_process(database_url: str, log: Path, *, repo: Path = REPO,
                   env: dict[str, str] | None = None) -> Iterator[str]:
    """``uvicorn mqa_workflow.web.asgi:app`` of ``repo`` as its own process; its base URL."""
    port = free_port()
    environment = os.environ | {"MQA_DATABASE_URL": database_url, "MQA_BROKER_URL": "",
                                "PYTHONPATH": str(repo)} | (env or {})
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "mqa_workflow.web.asgi:app", "--host",
             "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=repo, env=environment, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base) or process.poll() is not None, 30, "uvicorn to start")
        assert process.poll() is None, log.read_text()
        yield base
    finally:
        stop(process)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/standards", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Outcome:
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    late_sends: int = 0

    @property
    def answered(self) -> int:
        return sum(n for status, n in self.statuses.items() if isinstance(status, int))

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items()
                   if isinstance(status, int) and status >= 500 and status != 503)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


async def _one(client: httpx.AsyncClient, call: Call, outcome: Outcome) -> None:
    method, path, token, body = call
    began = time.perf_counter()
    try:
        response = await client.request(method, path, json=body,
                                        headers={"Authorization": f"Bearer {token}"})
    except httpx.TimeoutException:
        outcome.statuses["timeout"] += 1
        return
    except httpx.TransportError as error:
        outcome.statuses[type(error).__name__] += 1
        return
    outcome.statuses[response.status_code] += 1
    outcome.latencies.append(time.perf_counter() - began)


def closed_loop(base: str, calls: Sequence[Call], clients: int, seconds: float,
                timeout: float = 30) -> Outcome:
    """``clients`` clients, each sending its next request when the last is answered."""

    async def run() -> Outcome:
        outcome = Outcome()
        limits = httpx.Limits(max_connections=clients + 5)
        async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
            end = time.perf_counter() + seconds

            async def worker(n: int) -> None:
                k = n
                while time.perf_counter() < end:
                    await _one(client, calls[k % len(calls)], outcome)
                    k += clients

            began = time.perf_counter()
            await asyncio.gather(*(worker(n) for n in range(clients)))
            outcome.seconds = time.perf_counter() - began
        return outcome

    return asyncio.run(run())


def open_loop(base: str, calls: Sequence[Call], rate: float, seconds: float,
              timeout: float = 30) -> Outcome:
    """Send ``rate`` requests a second for ``seconds`` on schedule, answered or not."""

    async def run() -> Outcome:
        outcome = Outcome()
        total = int(rate * seconds)
        limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
            began = time.perf_counter()
            pending = []
            for n in range(total):
                delay = began + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.05:
                    outcome.late_sends += 1  # the generator itself fell behind
                pending.append(asyncio.create_task(_one(client, calls[n % len(calls)],
                                                        outcome)))
            await asyncio.gather(*pending)
            outcome.seconds = time.perf_counter() - began
        return outcome

    return asyncio.run(run())
