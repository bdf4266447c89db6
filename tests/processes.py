"""Processes of our own that the tests and the benchmarks both start: a private
redis-server on a free port, Celery workers and the outbox relay as deployed.

Plain Python (no pytest), so ``bench/`` imports it as well as ``tests/services.py``;
what to do when redis-server is missing is the caller's (a test skips, a benchmark exits).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {seconds}s waiting for {what}")


def _exit(message: str) -> NoReturn:
    sys.exit(message)


class RedisServer:
    """A redis-server of our own on ``port``, so its owner may stop and restart it.

    ``appendonly`` as in docker-compose.yml (the benchmarks) or off (the tests);
    ``missing`` is called with a message when redis-server is not installed."""

    def __init__(self, port: int, workdir: Path, *, appendonly: bool = False,
                 missing: Callable[[str], NoReturn] = _exit) -> None:
        self.port, self.workdir, self.appendonly = port, workdir, appendonly
        self.missing = missing
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            self.missing("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: listening(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def service_env(database_url: str, broker_url: str) -> dict[str, str]:
    """This process's environment pointed at one database and one broker (also the
    result backend), for the workers and the relay it starts."""
    return os.environ | {"MQA_DATABASE_URL": database_url, "MQA_BROKER_URL": broker_url,
                         "MQA_RESULT_BACKEND": broker_url}


def start_celery_worker(database_url: str, broker_url: str, log: Path, *options: str,
                        queues: str = "work,notifications") -> subprocess.Popen[bytes]:
    """A real Celery worker process, as an operator would run it; ``options`` choose
    the pool, its concurrency and the node name."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mqa_workflow.worker.celery_app", "worker",
         "-Q", queues, "--loglevel", "INFO", "--without-gossip", "--without-mingle",
         *options],
        cwd=REPO, env=service_env(database_url, broker_url), stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def stop(*processes: subprocess.Popen[bytes], seconds: float = 15) -> None:
    """Ask every process to end at once, then wait for each; kill what does not."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
