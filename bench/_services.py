"""Helpers the benchmark scripts share: scratch PostgreSQL databases, a private Redis,
real Celery workers, and a note of the machine the figures were taken on.

Benchmarks create databases with unique names (``mqa_bench_<purpose>_<pid>_<random>``) on
the server of ``MQA_BENCH_POSTGRES_URL`` (default: the local PostgreSQL), drop only
those they created, and run their own
redis-server on a free port, so they never touch anybody else's data.
"""

from __future__ import annotations

import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
SERVER_URL = os.environ.get("MQA_BENCH_POSTGRES_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CREATED: set[str] = set()  # the databases this process made (the only ones it drops)


def fresh_database(purpose: str) -> tuple[str, str]:
    """Create a database of this run's own, ``mqa_bench_<purpose>_<pid>_<random>``;
    return its name and URL. Two runs on one server never meet, and nothing that
    exists already is ever dropped (an existing name is an error, not a reset)."""
    name = f"mqa_bench_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(make_url(SERVER_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    CREATED.add(name)
    return name, make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    """Drop a database this process created (and only such a one)."""
    if name not in CREATED:
        raise ValueError(f"{name} was not created by this benchmark run; not dropping it")
    admin = create_engine(make_url(SERVER_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
    CREATED.discard(name)


def server_setting(name: str) -> str:
    engine = create_engine(make_url(SERVER_URL))
    with engine.connect() as connection:
        value = connection.execute(text(f"SHOW {name}")).scalar_one()
    engine.dispose()
    return str(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {seconds}s waiting for {what}")


class PrivateRedis:
    """A redis-server of the benchmark's own (AOF on, as in docker-compose.yml)."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> PrivateRedis:
        binary = shutil.which("redis-server") or sys.exit("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _listening(self.port), 10, "redis-server")
        return self

    def __exit__(self, *_: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_workers(count: int, concurrency: int, database_url: str, broker_url: str,
                  logdir: Path) -> list[subprocess.Popen[bytes]]:
    """``count`` Celery workers (prefork, ``concurrency`` children each), as deployed."""
    env = os.environ | {"MQA_DATABASE_URL": database_url, "MQA_BROKER_URL": broker_url,
                        "MQA_RESULT_BACKEND": broker_url}
    workers = []
    for n in range(count):
        log = (logdir / f"worker{n}.log").open("wb")
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mqa_workflow.worker.celery_app", "worker",
             "-Q", "work,notifications", "--concurrency", str(concurrency),
             "-n", f"bench{n}@%h", "--loglevel", "INFO", "--without-gossip",
             "--without-mingle"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT))
    return workers


def start_relay(database_url: str, broker_url: str, logdir: Path) -> subprocess.Popen[bytes]:
    """The outbox relay as deployed (`mqa outbox relay --loop`), on the wall clock.

    ``mqa demo`` relays on its simulated clock; work that the workers themselves queue
    is stamped with the wall clock, so (as in production) a relay of its own sends it."""
    env = os.environ | {"MQA_DATABASE_URL": database_url, "MQA_BROKER_URL": broker_url,
                        "MQA_RESULT_BACKEND": broker_url}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "mqa"), "outbox", "relay", "--loop",
         "--interval", "0.5"],
        cwd=REPO, env=env, stdout=(logdir / "relay.log").open("wb"), stderr=subprocess.STDOUT)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def machine() -> str:
    """One line naming the machine, for RESULTS.md."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} × {cpu}{memory}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
