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
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The process helpers are the tests' own (one place); the databases are not: a
# benchmark's have unique names and it drops only those it made.
from tests.processes import (
    REPO,
    RedisServer,
    free_port,
    service_env,
    start_celery_worker,
    stop,
    wait_for,
)

__all__ = ["REPO", "drop_database", "free_port", "fresh_database", "machine",
           "private_redis", "server_setting", "start_relay", "start_workers", "stop_all",
           "wait_for"]
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


def private_redis(workdir: Path) -> RedisServer:
    """A redis-server of the benchmark's own on a free port (AOF on, as in
    docker-compose.yml); the run exits if redis-server is not installed."""
    return RedisServer(free_port(), workdir, appendonly=True)


def start_workers(count: int, concurrency: int, database_url: str, broker_url: str,
                  logdir: Path) -> list[subprocess.Popen[bytes]]:
    """``count`` Celery workers (prefork, ``concurrency`` children each), as deployed."""
    return [start_celery_worker(database_url, broker_url, logdir / f"worker{n}.log",
                                "--concurrency", str(concurrency), "-n", f"bench{n}@%h")
            for n in range(count)]


def start_relay(database_url: str, broker_url: str, logdir: Path) -> subprocess.Popen[bytes]:
    """The outbox relay as deployed (`mqa outbox relay --loop`), on the wall clock.

    ``mqa demo`` relays on its simulated clock; work that the workers themselves queue
    is stamped with the wall clock, so (as in production) a relay of its own sends it."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "mqa"), "outbox", "relay", "--loop",
         "--interval", "0.5"],
        cwd=REPO, env=service_env(database_url, broker_url),
        stdout=(logdir / "relay.log").open("wb"), stderr=subprocess.STDOUT)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    stop(*processes, seconds=30)


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
