"""Real services started by tests: a throw-away Redis and a Celery worker."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mqa_workflow.db import Database
from tests.conftest import REQUIRE_SERVICES

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on a free port, so a test may stop and restart it."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            message = "redis-server is not installed"
            pytest.fail(message) if REQUIRE_SERVICES else pytest.skip(message)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _listening(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def start_worker(database_url: str, broker_url: str, log: Path,
                 queues: str = "work,notifications") -> subprocess.Popen[bytes]:
    """A real Celery worker process (solo pool), as an operator would run it."""
    env = os.environ | {"MQA_DATABASE_URL": database_url, "MQA_BROKER_URL": broker_url,
                        "MQA_RESULT_BACKEND": broker_url}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mqa_workflow.worker.celery_app", "worker",
         "--pool", "solo", "--concurrency", "1", "-Q", queues, "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def web_server(database: Database) -> Iterator[str]:
    """The web application under uvicorn on a free loopback port, in a thread of this
    process (tasks run in-process); yields its base URL."""
    import threading

    import uvicorn

    from mqa_workflow.web.app import create_app

    port = free_port()
    app = create_app(database)
    config = uvicorn.Config(app, host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    wait_for(lambda: running.started, 15, "the web server to start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)
        app.state.background.stop()  # lifespan is off: stop the drainer ourselves


def settling(client: Any) -> Any:
    """A TestClient that, after each unsafe request, waits until the app's background
    drainer has run the work that request queued (tests look at its results at once)."""

    def wait(response: Any) -> None:
        if response.request.method not in ("GET", "HEAD", "OPTIONS"):
            assert client.app.state.background.wait_idle(60), "background work still running"

    client.event_hooks["response"].append(wait)
    return client


def two_admins_at_once(database: Database, application_id: int, trigger: str,
                       emails: list[str]) -> list[str]:
    """Two administrators read the same version of an application, then both fire
    ``trigger``: what each was answered ("won" or "conflict: …")."""
    import threading

    from mqa_workflow.accounts.service import get_user
    from mqa_workflow.applications.models import Application
    from mqa_workflow.errors import ConflictError
    from mqa_workflow.states.engine import advance

    both_loaded = threading.Barrier(len(emails))
    outcomes: list[str] = []

    def admin(email: str) -> None:
        session = database.sessions()
        try:
            with session.begin():
                session.get(Application, application_id)  # both read version N …
                both_loaded.wait(timeout=10)
                advance(session, application_id, trigger, get_user(session, email))
            outcomes.append("won")
        except ConflictError as error:
            outcomes.append(f"conflict: {error.message}")
        finally:
            session.close()

    threads = [threading.Thread(target=admin, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@contextmanager
def own_postgresql_database(server_url: str, purpose: str) -> Iterator[str]:
    """An empty database of this test run's own on the test server, dropped afterwards
    with the audit key and checkpoint folders the engine kept beside it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from mqa_workflow.audit.keys import default_home

    name = f"mqa_test_{purpose}_{os.getpid()}"
    admin = create_engine(make_url(server_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
        home = default_home(url)
        for folder in (home, *home.parent.glob(f"{home.name}.set-aside-*")):
            shutil.rmtree(folder, ignore_errors=True)
