"""Real services started by tests: a throw-away Redis, a Celery worker, an SMTP server,
a database of the run's own, the web server. The processes themselves are started by
tests/processes.py, which the benchmarks share; here a missing service skips the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

from mqa_workflow.config import Settings, get_settings
from mqa_workflow.db import Database
from tests import processes
from tests.processes import REPO, free_port, start_celery_worker, stop, wait_for
from tests.smtp import SmtpServer

REQUIRE_SERVICES = os.environ.get("MQA_REQUIRE_SERVICES") == "1"


def unavailable(message: str) -> NoReturn:
    """Skip the test for want of a service, or fail it where services are required."""
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


__all__ = [
    "REPO",
    "REQUIRE_SERVICES",
    "RedisServer",
    "broker_and_smtp",
    "free_port",
    "own_postgresql_database",
    "settling",
    "start_worker",
    "stop",
    "two_admins_at_once",
    "unavailable",
    "wait_for",
    "web_server",
]


class RedisServer(processes.RedisServer):
    """A redis-server of the test's own on a free port, so a test may stop and restart
    it; without redis-server the test skips (fails where services are required)."""

    def __init__(self, port: int, workdir: Path) -> None:
        super().__init__(port, workdir, missing=unavailable)


def start_worker(database_url: str, broker_url: str, log: Path,
                 queues: str = "work,notifications") -> subprocess.Popen[bytes]:
    """A real Celery worker process (solo pool), as an operator would run it."""
    return start_celery_worker(database_url, broker_url, log, "--pool", "solo",
                               "--concurrency", "1", "--without-heartbeat", queues=queues)


@contextmanager
def broker_and_smtp(database: Database, workdir: Path, monkeypatch: pytest.MonkeyPatch,
                    *, smtp_listening: bool = True) -> Iterator[tuple[Settings, SmtpServer]]:
    """Settings pointing at ``database``, at a Redis of our own as broker and result
    backend, and at an SMTP server of our own: listening, or (``smtp_listening=False``)
    on a port nobody listens on yet, so connections are refused until the test starts it.
    The SMTP address is set in the environment, which the workers started later inherit."""
    redis = RedisServer(free_port(), workdir)
    redis.start()
    smtp = SmtpServer().start() if smtp_listening else SmtpServer()
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        yield Settings(database_url=database.url, broker_url=redis.url,
                       result_backend=redis.url), smtp
    finally:
        smtp.stop()
        redis.stop()
        get_settings.cache_clear()


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
def own_postgresql_database(server_url: str, purpose: str = "") -> Iterator[str]:
    """An empty database of this test run's own on the test server,
    ``mqa_test[_<purpose>]_<pid>`` (two runs on one server never collide), created afresh
    and dropped afterwards with the audit key and checkpoint folders the engine kept
    beside it (a dead run's are removed first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from mqa_workflow.audit.keys import default_home

    name = "_".join(part for part in ("mqa_test", purpose, str(os.getpid())) if part)
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)

    def forget_audit_folders() -> None:
        home = default_home(url)
        for folder in (home, *home.parent.glob(f"{home.name}.set-aside-*")):
            shutil.rmtree(folder, ignore_errors=True)

    admin = create_engine(make_url(server_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    forget_audit_folders()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
        forget_audit_folders()
