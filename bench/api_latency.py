"""API latency and throughput of the reviewer scoring path (PUT a draft score sheet).

The web application runs under uvicorn (its own processes) against a scratch PostgreSQL
database; a load generator in separate processes on loopback keeps C reviewers' clients
saving drafts for D seconds. Prints p50/p90/p99 latency, throughput and status counts.

    .venv/bin/python bench/api_latency.py [--clients 32] [--seconds 20] [--web-workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
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
    from mqa_workflow.reviews.models import PoolReviewer, ReviewAssignment, ReviewStage
    from mqa_workflow.reviews.service import assign_stage
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


def client(base: str, email: str, assignment: int, seconds: float,
           out: multiprocessing.Queue, ready: multiprocessing.Barrier) -> None:  # type: ignore[type-arg]
    """One reviewer's browser tab: sign in, then save drafts as fast as answers come.

    All clients sign in first (argon2 is deliberately slow) and start together, so the
    figures are the scoring path's alone."""
    import httpx

    from mqa_workflow.standards.loader import load_standard

    codes = [item.code for item in load_standard("economic").scored_items()]
    rng = random.Random(assignment)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=base, timeout=60) as http:
        token = http.post("/api/auth/login",
                          json={"email": email, "password": PASSWORD}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        ready.wait()
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            body = {"scores": {rng.choice(codes): 5 * rng.randrange(21)}}
            started = time.perf_counter()
            answer = http.put(f"/api/assignments/{assignment}/sheet", json=body)
            latencies.append(time.perf_counter() - started)
            statuses[answer.status_code] += 1
    out.put((latencies, dict(statuses)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    database_name, url = fresh_database("api")
    pairs = build_world(url, max(args.clients, 6))
    port, log = free_port(), Path("/tmp/mqa_bench_api_web.log")
    web = start_web(url, port, args.web_workers, log)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        wait_for(lambda: _up(httpx, base), 30, "the web application")
        out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
        ready = multiprocessing.Barrier(args.clients)
        procs = [multiprocessing.Process(target=client, args=(base, email, assignment,
                                                              args.seconds, out, ready))
                 for email, assignment in pairs[: args.clients]]
        for proc in procs:
            proc.start()
        results = [out.get(timeout=args.seconds + 300) for _ in procs]
        for proc in procs:
            proc.join(30)
    finally:
        web.terminate()
        web.wait(15)
        drop_database(database_name)
    latencies = [value for chunk, _ in results for value in chunk]
    statuses: Counter[int] = Counter()
    for _, counts in results:
        statuses.update(counts)
    print(machine())
    print(f"scoring path: PUT /api/assignments/ID/sheet (draft), {args.clients} clients, "
          f"{args.web_workers} uvicorn workers, PostgreSQL, {args.seconds:.0f} s")
    print(f"requests {len(latencies)}, throughput {len(latencies) / args.seconds:.1f} req/s")
    print(f"latency p50 {1000 * statistics.median(latencies):.1f} ms, "
          f"p90 {1000 * percentile(latencies, 0.9):.1f} ms, "
          f"p99 {1000 * percentile(latencies, 0.99):.1f} ms")
    print(f"statuses {dict(sorted(statuses.items()))}")


def _up(httpx: object, base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200  # type: ignore[attr-defined]
    except Exception:  # not listening yet
        return False


if __name__ == "__main__":
    main()
