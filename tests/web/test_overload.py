"""No 500s under load: requests in flight are bounded (503 with Retry-After beyond), the
pool is sized by settings, and background work runs in the server's drainer thread,
never inside a request. The load test drives a uvicorn process on the real PostgreSQL
through loopback HTTP at twice its measured capacity."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from mqa_workflow.accounts.models import Role
from mqa_workflow.clock import now
from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.outbox.service import RelayRun
from mqa_workflow.web.admission import AdmissionControl
from mqa_workflow.web.app import create_app
from mqa_workflow.web.security import set_password
from mqa_workflow.worker.drainer import OutboxDrainer
from tests import factories
from tests.load import Call, closed_loop, open_loop, server_process
from tests.web.test_concurrency import PASSWORD, _token, _world


def test_requests_beyond_the_bound_are_refused_at_once_with_retry_after() -> None:
    release = asyncio.Event()
    entered = 0

    async def slow(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        nonlocal entered
        entered += 1
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = AdmissionControl(slow, max_in_flight=2, retry_after=3)

    async def scenario() -> tuple[list[httpx.Response], httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=gate)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            admitted = [asyncio.create_task(client.get("/api/x")) for _ in range(2)]
            while entered < 2:
                await asyncio.sleep(0.001)
            refused = await client.get("/api/x")
            static = asyncio.create_task(client.get("/static/app.css"))
            await asyncio.sleep(0.01)
            release.set()
            done = await asyncio.gather(*admitted)
            after = await client.get("/api/x")
            await static
        return done, refused, after

    done, refused, after = asyncio.run(scenario())
    assert [r.status_code for r in done] == [200, 200]
    assert refused.status_code == 503 and refused.headers["retry-after"] == "3"
    # Answered while both admitted requests are still held (they are released only after
    # it returns), so it was refused at once, not queued; no clock needed to show it.
    assert "busy" in refused.json()["detail"]
    assert after.status_code == 200  # the count goes down again
    assert entered == 4  # the static file was admitted beyond the bound
    assert gate.in_flight == 0 and gate.refused == 1


def _administrator(database: Database) -> str:
    """An administrator who signs in with PASSWORD; the e-mail."""
    with database.session() as session:
        admin = factories.user(session, Role.ADMINISTRATOR)
        set_password(session, admin, PASSWORD)
        return admin.email


def _backed_off_task(database: Database) -> int:
    """A pending outbox row backed off after a failure (an operator may retry it now)."""
    with database.session() as session:
        message = OutboxMessage(task="notify", payload={}, idempotency_key="backed-off",
                                attempts=1, last_error="RuntimeError: broker away",
                                available_at=now() + timedelta(minutes=5))
        session.add(message)
        session.flush()
        return message.id


def test_background_work_runs_in_the_drainer_thread_never_inside_the_request(
        sqlite_database: Database) -> None:
    email = _administrator(sqlite_database)
    task = _backed_off_task(sqlite_database)
    started, release = threading.Event(), threading.Event()
    threads: list[str] = []

    def blocking_dispatch(database: Database) -> RelayRun:
        threads.append(threading.current_thread().name)
        started.set()
        release.wait(30)
        return RelayRun()

    app = create_app(sqlite_database)
    app.state.background = OutboxDrainer(sqlite_database, blocking_dispatch, 60)
    try:
        with TestClient(app) as client:
            token = client.post("/api/auth/login", json={
                "email": email, "password": PASSWORD}).json()["token"]
            began = time.perf_counter()
            answer = client.post(f"/api/operations/tasks/{task}/retry",
                                 headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200  # the task is due again: work queued
            assert started.wait(10)  # the request woke the drainer …
            assert time.perf_counter() - began < 10
            assert not release.is_set()  # … and was answered while its work still ran
            assert threads and threads[0] == "mqa-outbox-drainer"
    finally:
        release.set()
        app.state.background.stop()


def test_a_request_that_queues_no_work_does_not_wake_the_drainer(
        sqlite_database: Database) -> None:
    email = _administrator(sqlite_database)
    drains: list[str] = []

    def counting_dispatch(database: Database) -> RelayRun:
        drains.append(threading.current_thread().name)
        return RelayRun()

    app = create_app(sqlite_database)
    drainer = OutboxDrainer(sqlite_database, counting_dispatch, 60)
    app.state.background = drainer
    try:
        with TestClient(app) as client:
            token = client.post("/api/auth/login", json={
                "email": email, "password": PASSWORD}).json()["token"]
            answer = client.post("/api/auth/logout",
                                 headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
            # wake() counts synchronously before the answer is sent: none was asked for,
            # so the sign-out (a write that queues nothing) cost no outbox transaction.
            assert drainer.wake_ups == 0
            assert drains == []
    finally:
        drainer.stop()


def test_the_pool_is_sized_by_settings_and_checks_no_connection_with_a_round_trip(
        pg_database: Database) -> None:
    pool = pg_database.engine.pool
    assert pool.size() == 10 and pool.timeout() == 5.0  # type: ignore[attr-defined]
    assert not getattr(pool, "_pre_ping", False)


@pytest.mark.postgres
def test_twice_the_capacity_open_loop_gives_no_500_and_the_server_recovers_at_once(
        pg_database: Database, tmp_path: Path) -> None:
    submitted, admins, assignments = _world(pg_database)
    with pg_database.session() as session:
        from mqa_workflow.reviews.models import ReviewAssignment

        reviewers = {a: session.get(ReviewAssignment, a).reviewer.email for a in assignments}
    with server_process(pg_database.url, tmp_path / "uvicorn.log") as base:
        calls: list[Call] = []
        for n, assignment_id in enumerate(assignments * 4):
            token = _token(base, reviewers[assignment_id])
            calls.append(("PUT", f"/api/assignments/{assignment_id}/sheet", token,
                          {"scores": {"1.1": 5 * (n % 21)}}))
        admin_token = _token(base, admins[0])
        calls += [("GET", f"/api/applications/{a}", admin_token, None) for a in submitted]

        capacity = closed_loop(base, calls, clients=8, seconds=3)
        assert capacity.server_errors == 0, capacity.statuses
        rate = capacity.answered / capacity.seconds
        overload = open_loop(base, calls, rate=min(2 * rate, 800), seconds=4)
        after = closed_loop(base, calls, clients=2, seconds=1)

    print(f"capacity {rate:.0f}/s {dict(capacity.statuses)}; open loop at "
          f"{min(2 * rate, 800):.0f}/s: {dict(overload.statuses)} p99 "
          f"{overload.percentile(0.99):.2f}s; after: {dict(after.statuses)} "
          f"p99 {after.percentile(0.99):.3f}s")
    assert overload.server_errors == 0, overload.statuses
    assert set(overload.statuses) <= {200, 409, 503}, overload.statuses  # no timeout
    assert set(after.statuses) <= {200, 409}, after.statuses  # normal again at once
    assert after.percentile(0.99) < 5.0  # the old server still timed out (30 s) here


@pytest.mark.postgres
def test_a_database_outage_is_answered_503_with_retry_after_then_normally(
        pg_database: Database) -> None:
    from tests.web.test_database_lost import Server

    email = _administrator(pg_database)
    server = Server(pg_database.url)
    try:
        with TestClient(create_app(pg_database)) as client:
            token = client.post("/api/auth/login", json={
                "email": email, "password": PASSWORD}).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            server.go_down()
            away = client.get("/api/auth/me", headers=headers)
            assert away.status_code == 503 and away.headers["Retry-After"] == "1"
            assert "database is unavailable" in away.json()["detail"]
            server.come_back()
            assert client.get("/api/auth/me", headers=headers).status_code == 200
    finally:
        server.come_back()
        server.admin.dispose()


def test_a_refusal_for_overload_carries_the_security_headers() -> None:
    import asyncio

    from mqa_workflow.web.admission import AdmissionControl
    from mqa_workflow.web.app import SECURITY_HEADERS, SecurityHeaders

    release = asyncio.Event()

    async def slow_app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = SecurityHeaders(AdmissionControl(slow_app, max_in_flight=1, retry_after=1))
    started: list[dict] = []

    async def call() -> None:
        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                started.append(message)

        await app({"type": "http", "method": "GET", "path": "/api/x", "headers": []},
                  receive, send)

    async def scenario() -> None:
        first = asyncio.create_task(call())
        await asyncio.sleep(0.05)
        await call()  # the second while the first is in flight: refused at once
        release.set()
        await first

    asyncio.run(scenario())
    refused = next(m for m in started if m["status"] == 503)
    names = {name.decode().lower() for name, _ in refused["headers"]}
    assert {name.lower() for name in SECURITY_HEADERS} <= names and "retry-after" in names


def test_a_draft_save_reads_the_sign_in_and_the_access_in_one_query_each(
        sqlite_database: Database) -> None:
    """The scoring path's statements, counted (not timed): sign-in, access check, sheet,
    update; the application and cycle the check loaded are not asked for again."""
    from sqlalchemy import event

    from mqa_workflow.reviews.models import ReviewAssignment

    _, _, assignments = _world(sqlite_database)
    with sqlite_database.session() as session:
        email = session.get(ReviewAssignment, assignments[0]).reviewer.email
    statements: list[str] = []
    app = create_app(sqlite_database)
    with TestClient(app) as client:
        token = client.post("/api/auth/login", json={
            "email": email, "password": PASSWORD}).json()["token"]
        event.listen(sqlite_database.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: statements.append(statement))
        answer = client.put(f"/api/assignments/{assignments[0]}/sheet",
                            json={"scores": {"1.1": 50}},
                            headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    sql = [s for s in statements if not s.startswith(("BEGIN", "PRAGMA", "COMMIT"))]
    assert len(sql) == 4, sql  # sign-in, access, the sheet, its INSERT (the first save)
    assert all(f" {table}" in sql[0] for table in ("web_sessions", "users"))
    assert all(f" {table}" in sql[1] for table in (
        "review_assignments", "applications", "award_cycles", "conflicts_of_interest",
        "no_conflict_statements"))
    assert " score_sheets" in sql[2] and sql[3].startswith("INSERT INTO score_sheets")
