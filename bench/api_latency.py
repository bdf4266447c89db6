"""API latency of the reviewer scoring path (PUT a draft score sheet), open loop.

The web application runs under uvicorn (its own processes) against a scratch PostgreSQL
database of this run's own. For each rate the load generator (this process, asyncio on
loopback) sends drafts on a fixed schedule for D seconds, whatever the server answers,
and measures each request from its scheduled time (no coordinated omission). Prints, per
rate, p50/p90/p99, errors (any answer but 200, e.g. 503 when the server sheds load) and
the highest rate that keeps p99 within the target with no error.

``--reference DIR`` serves a checkout of another commit (``git worktree add DIR COMMIT``)
beside this one, on the same database and sessions: at every rate the reference is
measured first, then this code, so each figure has its same-run reference.

    .venv/bin/python bench/api_latency.py [--rates 25,50,100,200] [--seconds 15]
                                          [--web-workers 2] [--target-p99-ms 50]
                                          [--reference /tmp/old-api]
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


def _http_protocol(repo: Path) -> list[str]:
    """The protocol `mqa serve` uses (Nagle off), where that checkout has one."""
    if (repo / "mqa_workflow" / "web" / "serving.py").exists():
        return ["--http", "mqa_workflow.web.serving:NoDelayHTTPProtocol"]
    return []


def start_web(url: str, port: int, workers: int, log: Path, repo: Path = REPO
              ) -> subprocess.Popen[bytes]:
    """uvicorn serving ``repo``'s code (this checkout, or a reference one)."""
    env = os.environ | {"MQA_DATABASE_URL": url, "MQA_BROKER_URL": "", "PYTHONPATH": str(repo)}
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "mqa_workflow.web.asgi:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log", *_http_protocol(repo)],
        cwd=repo, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def sign_in(base: str, pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A bearer token per reviewer and assignment, before any clock runs (argon2 is
    deliberately slow). Sessions live in the database: every server of the run takes them."""
    import httpx

    tokens, known = [], {}
    with httpx.Client(base_url=base, timeout=120) as http:
        for email, assignment in pairs:
            if email not in known:
                answer = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
                known[email] = answer.json()["token"]
            tokens.append((known[email], assignment))
    return tokens


def warm_up(base: str, tokens: list[tuple[str, int]], workers: int) -> None:
    """A few saves per serving process first, so no figure includes a process's first
    use of a query or of the standard."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as http:
        for token, assignment in tokens[:10 * workers]:
            http.put(f"/api/assignments/{assignment}/sheet", json={"scores": {}},
                     headers={"Authorization": f"Bearer {token}"})


async def _open_loop(base: str, tokens: list[tuple[str, int]], rate: float,
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


def measure_rate(base: str, tokens: list[tuple[str, int]], rate: float,
                 seconds: float) -> dict[str, object]:
    import asyncio

    latencies, statuses = asyncio.run(_open_loop(base, tokens, rate, seconds))
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
    parser.add_argument("--target-rate", type=float, default=200.0,
                        help="the rate the target p99 must hold at")
    parser.add_argument("--reference", type=Path, default=None,
                        help="a checkout of another commit, measured beside this one")
    args = parser.parse_args()

    codes = ([("reference", args.reference.resolve())] if args.reference else []) + [
        ("this", REPO)]
    database_name, url = fresh_database("api")
    pairs = build_world(url, args.reviewers)
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    rows: dict[str, list[dict[str, object]]] = {code: [] for code, _ in codes}
    try:
        import httpx

        for code, repo in codes:
            port = free_port()
            log = Path(f"/tmp/{database_name}_{code}_web.log")
            servers[code] = (start_web(url, port, args.web_workers, log, repo),
                             f"http://127.0.0.1:{port}")
        for code, (_, base) in servers.items():
            wait_for(lambda base=base: _up(httpx, base), 300, f"the web application ({code})")
        tokens = sign_in(next(iter(servers.values()))[1], pairs)
        for _, base in servers.values():
            warm_up(base, tokens, args.web_workers)
        print(machine())
        print(f"scoring path: PUT /api/assignments/ID/sheet (draft), open loop, "
              f"{args.web_workers} uvicorn workers, PostgreSQL, {args.seconds:.0f} s per rate"
              + "".join(f"; {code} = {repo}" for code, repo in codes))
        print(f"{'code':>9} {'rate/s':>7} {'sent':>6} {'ok':>6} {'errors':>6} {'p50 ms':>8} "
              f"{'p90 ms':>8} {'p99 ms':>8}  statuses")
        for rate in (float(r) for r in args.rates.split(",")):
            for code, (_, base) in servers.items():
                row = measure_rate(base, tokens, rate, args.seconds)
                rows[code].append(row)
                print(f"{code:>9} {rate:>7.0f} {row['sent']:>6} {row['ok']:>6} "
                      f"{row['errors']:>6} {row['p50']:>8.1f} {row['p90']:>8.1f} "
                      f"{row['p99']:>8.1f}  {row['statuses']}", flush=True)
    finally:
        for web, _ in servers.values():
            web.terminate()
        for web, _ in servers.values():
            try:
                web.wait(15)
            except subprocess.TimeoutExpired:  # requests still queued at the end of a run
                web.kill()
                web.wait(15)
        drop_database(database_name)
    for code, measured in rows.items():
        print(f"{code}: {summary(measured, args.target_p99_ms, args.target_rate)}")


def summary(rows: list[dict[str, object]], target_p99_ms: float, target_rate: float) -> str:
    """The highest rate within the target, and the ratios to it."""
    good = [float(r["rate"]) for r in rows  # type: ignore[arg-type]
            if float(r["p99"]) <= target_p99_ms and r["errors"] == 0]  # type: ignore[arg-type]
    best = max(good, default=None)
    text = (f"highest rate with p99 ≤ {target_p99_ms:.0f} ms and no error: "
            f"{'none of those tried' if best is None else f'{best:.0f} req/s'}")
    if best is not None:
        text += f" ({best / target_rate:.2f} × the target rate)"
    at_target = [r for r in rows if float(r["rate"]) == target_rate]  # type: ignore[arg-type]
    if at_target:
        p99 = float(at_target[0]["p99"])  # type: ignore[arg-type]
        text += (f"; at {target_rate:.0f} req/s p99 {p99:.1f} ms = "
                 f"{p99 / target_p99_ms:.2f} × the target, {at_target[0]['errors']} errors")
    return text


def _up(httpx: object, base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/openapi.json", timeout=2).status_code == 200  # type: ignore[attr-defined]
    except Exception:  # not listening yet
        return False


if __name__ == "__main__":
    main()
