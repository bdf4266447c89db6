"""Concurrency and overload through real HTTP: how many answers are 5xx.

A uvicorn process (one worker, the code of ``--repo``, default this checkout) serves a
scratch PostgreSQL database holding 10 submitted applications, 5 administrators and
one application in document review with 3 reviewers. Then, on loopback:

1. ``--clients`` (50) closed-loop clients for ``--seconds``: reviewers saving drafts of
   the same 3 score sheets, administrators reading the applications;
2. the capacity (answers/s with 8 clients), then an open loop at twice that rate for
   ``--seconds`` (requests on schedule whatever the answers), then 2 s of normal load.

Prints status counts and latencies of each phase.

    .venv/bin/python bench/overload.py [--clients 50] [--seconds 8] [--repo PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import bench_path  # noqa: F401  (makes the repository importable)

from bench._services import REPO, drop_database, fresh_database, machine

DATABASE = "mqa_bench_overload"


def world_calls(url: str, base: str, world: tuple[list[int], list[str], list[int]]
                ) -> list[tuple[str, str, str, dict[str, object] | None]]:
    """Reviewers saving drafts of the 3 sheets, an administrator reading applications."""
    from mqa_workflow.db import Database
    from mqa_workflow.reviews.models import ReviewAssignment
    from tests.web.test_concurrency import _token

    submitted, admins, assignments = world
    database = Database(url)
    with database.session() as session:
        reviewer_of = {a: session.get(ReviewAssignment, a).reviewer.email for a in assignments}
    database.engine.dispose()
    calls: list[tuple[str, str, str, dict[str, object] | None]] = []
    for n, assignment in enumerate(assignments * 4):
        calls.append(("PUT", f"/api/assignments/{assignment}/sheet",
                      _token(base, reviewer_of[assignment]), {"scores": {"1.1": 5 * (n % 21)}}))
    admin_token = _token(base, admins[0])
    calls += [("GET", f"/api/applications/{a}", admin_token, None) for a in submitted]
    return calls


def show(label: str, outcome: object) -> None:
    o = outcome
    print(f"{label}: {o.answered} answered in {o.seconds:.1f} s "  # type: ignore[attr-defined]
          f"({o.answered / max(o.seconds, 1e-9):.0f}/s), statuses "  # type: ignore[attr-defined]
          f"{dict(sorted(o.statuses.items(), key=str))}, 5xx other than 503: "  # type: ignore[attr-defined]
          f"{o.server_errors}, p50 {o.percentile(0.5) * 1000:.0f} ms, "  # type: ignore[attr-defined]
          f"p99 {o.percentile(0.99) * 1000:.0f} ms")  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()

    from mqa_workflow.db import Database
    from mqa_workflow.migrations.service import upgrade
    from tests.load import closed_loop, open_loop, server_process
    from tests.web.test_concurrency import _world

    url = fresh_database(DATABASE)
    try:
        upgrade(url)
        database = Database(url)
        world = _world(database)
        database.engine.dispose()
        with server_process(url, Path("/tmp/mqa_bench_overload.log"), repo=args.repo) as base:
            calls = world_calls(url, base, world)
            print(machine())
            print(f"server code: {args.repo}")
            show(f"{args.clients} clients, closed loop",
                 closed_loop(base, calls, args.clients, args.seconds))
            capacity = closed_loop(base, calls, 8, args.seconds)
            show("capacity, 8 clients", capacity)
            rate = 2 * capacity.answered / capacity.seconds
            show(f"open loop at {rate:.0f}/s (twice the capacity)",
                 open_loop(base, calls, rate, args.seconds))
            show("right after, 2 clients", closed_loop(base, calls, 2, 2))
    finally:
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
