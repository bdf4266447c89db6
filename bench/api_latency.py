"""API latency of the reviewer scoring path (PUT a draft score sheet), open loop.

The web application runs under uvicorn (its own processes) against a scratch PostgreSQL
database of this run's own. For each rate the load generator (this process, asyncio on
loopback) sends drafts on a fixed schedule for D seconds, whatever the server answers,
and measures each request from its scheduled time (no coordinated omission). Prints, per
rate, p50/p90/p99, errors (any answer but 200, e.g. 503 when the server sheds load) and
the highest rate that keeps p99 within the target with no error.

    .venv/bin/python bench/api_latency.py [--rates 25,50,100,200] [--seconds 15]
                                          [--web-workers 2] [--target-p99-ms 50]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import bench_path  # noqa: F401  (makes the repository importable)

from bench._services import REPO, drop_database, free_port, fresh_database, machine, wait_for

PASSWORD = "bench-password"


def build_world(url: str, reviewers: int) -> list[tuple[str, int]]:
    """Applications in document review, staffed by the solver; returns (e-mail, assignment)."""
    from sqlalchemy import select

    from mqa_workflow.accounts.models import Role
    from mqa_workflow.db import Database
    from mqa_workflow.migrations.service import upgrade
    from mqa_workflow.reviews.assignment_service import assign_stage
    from mqa_workflow.reviews.models import PoolReviewer, ReviewAssignment, ReviewStage
    from mqa_workflow.reviews.statement import confirm_no_conflict
    from mqa_workflow.web.security import set_password
    from tests import factories

    upgrade(url)
    database = Database(url)
    with database.session() as session:
        cycle = factories.cycle(session, {"reviewers_per_application": 3})
        apps = [factories.application(session, state="document_review", award_cycle=cycle).id
                for _ in range(reviewers)]
        for n in range(reviewers):
            user = factories.user(session, Role.REVIEWER)
            set_password(session, user, PASSWORD)
            session.add(PoolReviewer(user_id=user.id, classes=["economic"],
                                     industries=["电子信息"], capacity=6, may_lead=n % 3 == 0))
        session.flush()
        assign_stage(session, apps, ReviewStage.DOCUMENT_REVIEW)
        for assignment in session.scalars(select(ReviewAssignment)):  # 回避承诺 first
            confirm_no_conflict(session, assignment.reviewer, assignment.application_id)
        rows = session.execute(select(ReviewAssignment.id, ReviewAssignment.reviewer_id)).all()
        from mqa_workflow.accounts.models import User

        emails = dict(session.execute(select(User.id, User.email)).all())
        pairs = [(emails[reviewer], assignment) for assignment, reviewer in rows]
    database.engine.dispose()
    return pairs


def start_web(url: str, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"MQA_DATABASE_URL": url, "MQA_BROKER_URL": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mqa_workflow.web.asgi:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


async def _sign_in(http: object, pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A bearer token per reviewer (argon2 is deliberately slow: done before the clock)."""
    tokens = []
    for email, assignment in pairs:
        answer = await http.post("/api/auth/login",  # type: ignore[attr-defined]
                                 json={"email": email, "password": PASSWORD})
        tokens.append((answer.json()["token"], assignment))
    return tokens


async def _open_loop(base: str, pairs: list[tuple[str, int]], rate: float,
                     seconds: float) -> tuple[list[float], Counter[int | str]]:
    """Requests leave on a fixed schedule (one every 1/rate s), whatever the answers do.

    Each latency is measured from the request's *scheduled* time, so a server that
    falls behind is charged for the queue it causes (no coordinated omission)."""
    import asyncio

    import httpx

    from mqa_workflow.standards.loader import load_standard

    codes = [item.code for item in load_standard("economic").scored_items()]
    rng = random.Random(int(rate))
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        tokens = await _sign_in(http, pairs)

        async def one(scheduled: float, token: str, assignment: int) -> None:
            body = {"scores": {rng.choice(codes): 5 * rng.randrange(21)}}
            try:
                answer = await http.put(f"/api/assignments/{assignment}/sheet", json=body,
                                        headers={"Authorization": f"Bearer {token}"})
                statuses[answer.status_code] += 1
            except httpx.HTTPError as error:
                statuses[type(error).__name__] += 1
            latencies.append(time.perf_counter() - scheduled)

        start = time.perf_counter() + 0.5
        tasks = []
        for n in range(int(rate * seconds)):
            scheduled = start + n / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            token, assignment = tokens[n % len(tokens)]
            tasks.append(asyncio.create_task(one(scheduled, token, assignment)))
        await asyncio.gather(*tasks)
    return latencies, statuses


def measure_rate(base: str, pairs: list[tuple[str, int]], rate: float,
                 seconds: float) -> dict[str, object]:
    import asyncio

    latencies, statuses = asyncio.run(_open_loop(base, pairs, rate, seconds))
    ok = sum(count for status, count in statuses.items() if status == 200)
    return {"rate": rate, "sent": len(latencies), "ok": ok,
            "errors": len(latencies) - ok, "statuses": dict(statuses),
            "p50": 1000 * percentile(latencies, 0.5), "p90": 1000 * percentile(latencies, 0.9),
            "p99": 1000 * percentile(latencies, 0.99)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="25,50,100,150,200,300",
                        help="requests per second, one run each (open loop)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each run")
    parser.add_argument("--reviewers", type=int, default=300,
                        help="reviewers (one sheet each) the requests go round")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--target-p99-ms", type=float, default=50.0)
    args = parser.parse_args()

    database_name, url = fresh_database("api")
    pairs = build_world(url, args.reviewers)
    port, log = free_port(), Path(f"/tmp/{database_name}_web.log")
    web = start_web(url, port, args.web_workers, log)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        import httpx

        wait_for(lambda: _up(httpx, base), 30, "the web application")
        print(machine())
        print(f"scoring path: PUT /api/assignments/ID/sheet (draft), open loop, "
              f"{args.web_workers} uvicorn workers, PostgreSQL, {args.seconds:.0f} s per rate")
        print(f"{'rate/s':>7} {'sent':>6} {'ok':>6} {'errors':>6} {'p50 ms':>8} {'p90 ms':>8} "
              f"{'p99 ms':>8}  statuses")
        for rate in (float(r) for r in args.rates.split(",")):
            row = measure_rate(base, pairs, rate, args.seconds)
            rows.append(row)
            print(f"{rate:>7.0f} {row['sent']:>6} {row['ok']:>6} {row['errors']:>6} "
                  f"{row['p50']:>8.1f} {row['p90']:>8.1f} {row['p99']:>8.1f}  "
                  f"{row['statuses']}", flush=True)
    finally:
        web.terminate()
        try:
            web.wait(15)
        except subprocess.TimeoutExpired:  # requests still queued at the end of a run
            web.kill()
            web.wait(15)
        drop_database(database_name)
    good = [r["rate"] for r in rows
            if r["p99"] <= args.target_p99_ms and r["errors"] == 0]  # type: ignore[operator]
    best = max(good, default=None)
    print(f"highest rate with p99 ≤ {args.target_p99_ms:.0f} ms and no error: "
          f"{'none of those tried' if best is None else f'{best:.0f} req/s'}")


def _up(httpx: object, base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200  # type: ignore[attr-defined]
    except Exception:  # not listening yet
        return False


if __name__ == "__main__":
    main()
