"""A whole simulated award cycle: ``mqa demo --applications N`` against PostgreSQL, Redis
and real Celery workers. Prints the wall time, applications per second and where the
time goes (per phase; the driver's own profile; the workers' time per task).

    .venv/bin/python bench/demo_cycle.py --applications 1000 [--workers 2 --concurrency 1]

The driver (``mqa demo``) runs in its own process under cProfile; the workers are
ordinary prefork workers on a private redis-server, beside the outbox relay
(``mqa outbox relay --loop``) as deployed. Logs and the profile are kept
under --out (default /tmp/mqa-bench-demo-N).
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench_path import REPO  # noqa: F401  (puts the repository on sys.path)

from bench._services import (
    drop_database,
    fresh_database,
    machine,
    private_redis,
    start_relay,
    start_workers,
    stop_all,
)

TASK_DONE = re.compile(r"Task (\S+)\[[^\]]+\] (succeeded|retry|raised)[^\d]*([\d.]+)?s?")


def main() -> None:
    args = _arguments()
    out = args.out or Path(f"/tmp/mqa-bench-demo-{args.applications}")
    out.mkdir(parents=True, exist_ok=True)
    name, url = fresh_database(f"demo_{args.applications}")
    # `mqa demo` creates the schema itself (and marks the database as its own).
    print(f"machine: {machine()}")
    print(f"N={args.applications}, {args.workers} worker(s) × concurrency {args.concurrency}")
    with private_redis(out / "redis") as redis:
        workers = start_workers(args.workers, args.concurrency, url, redis.url, out)
        workers.append(start_relay(url, redis.url, out))
        try:
            time.sleep(3)  # let the workers connect before the clock starts
            phases, wall = _run_demo(args, url, redis.url, out)
        finally:
            stop_all(workers)
    _report(args.applications, phases, wall, out)
    if not args.keep:
        drop_database(name)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", "-n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def _run_demo(args: argparse.Namespace, url: str, broker: str,
              out: Path) -> tuple[list[tuple[str, float]], float]:
    """Run `mqa demo` under cProfile; time-stamp each progress line as it arrives."""
    command = [sys.executable, "-m", "cProfile", "-o", str(out / "driver.prof"),
               str(Path(sys.executable).parent / "mqa"), "demo",
               "--applications", str(args.applications), "--seed", str(args.seed),
               "--database-url", url, "--broker-url", broker, "--reports", str(out / "reports")]
    env = os.environ | {"PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    start = time.monotonic()
    phases: list[tuple[str, float]] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=env, text=True) as driver, (out / "driver.log").open("w") as log:
        assert driver.stdout is not None
        for line in driver.stdout:
            log.write(line)
            if " done" in line or "cycle created" in line:
                label = re.sub(r"^\[[\d:]+\]\s*", "", line.strip())[:60]
                phases.append((label, time.monotonic() - start))
        if driver.wait() != 0:
            sys.exit(f"mqa demo failed; see {out / 'driver.log'}")
    return phases, time.monotonic() - start


def _report(n: int, phases: list[tuple[str, float]], wall: float, out: Path) -> None:
    print(f"\nwall time {wall:.1f} s, {n / wall:.2f} applications/s")
    print("\nphases (elapsed at the end of each):")
    previous = 0.0
    for label, at in phases:
        print(f"  {at - previous:8.1f} s  {label}")
        previous = at
    _driver_profile(out / "driver.prof")
    _worker_time(out)


def _driver_profile(path: Path, top: int = 18) -> None:
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\ndriver process (mqa demo), cProfile: {total:.1f} s of CPU+wait in total")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][3], reverse=True)  # type: ignore[attr-defined]
    print("  cumulative  own      function")
    shown = 0
    for (filename, line, function), (_, _, own, cumulative, _) in rows:
        if "mqa_workflow" not in filename and "sleep" not in function:
            continue
        print(f"  {cumulative:8.1f} {own:8.1f}  {_short(filename)}:{line} {function}")
        shown += 1
        if shown >= top:
            break


def _short(filename: str) -> str:
    return filename.split("/mqa_workflow/")[-1] if "/mqa_workflow/" in filename else filename


def _worker_time(out: Path) -> None:
    seconds: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    other: dict[str, int] = defaultdict(int)
    for log in sorted(out.glob("worker*.log")):
        for line in log.read_text(errors="replace").splitlines():
            match = TASK_DONE.search(line)
            if not match:
                continue
            task, outcome, took = match.groups()
            if outcome == "succeeded" and took:
                seconds[task] += float(took)
                counts[task] += 1
            else:
                other[f"{task} {outcome}"] += 1
    print(f"\nworkers: {sum(seconds.values()):.1f} s of task time in total")
    for task in sorted(seconds, key=seconds.get, reverse=True):  # type: ignore[arg-type]
        print(f"  {seconds[task]:8.1f} s  {counts[task]:6d} × {task} "
              f"(mean {1000 * seconds[task] / counts[task]:.1f} ms)")
    for what, count in sorted(other.items()):
        print(f"  {count:6d} × {what}")


if __name__ == "__main__":
    main()
