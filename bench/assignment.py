"""Reviewer assignment at scale: the min-cost-flow solver against the LP optimum.

    .venv/bin/python bench/assignment.py [--sizes 2000x600,10000x2000] [--k 5]

For each size (applications × reviewers, k reviewers per application) it builds one
synthetic instance (six award classes, ten industries, reviewers qualified for two
classes and knowing three industries, a third may lead, one pair in 300 conflicted,
capacity 1.5× the average load) and, each in a fresh process so that peak memory is
its own, runs

* ``assign_reviewers`` (OR-Tools min-cost flow): solve time, peak RSS, objective;
* ``lp_relaxation_objective`` (SciPy HiGHS) on the same instance: time, peak RSS,
  optimum; the gap is (solver − LP) / |LP|. An LP that exceeds --lp-timeout or the
  --memory-gib cap is reported as such.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from bench_path import REPO  # noqa: F401  (puts the repository on sys.path)

from bench._services import machine
from mqa_workflow.reviews.assignment import (
    ApplicationNeed,
    ReviewerSlot,
    assign_reviewers,
    assignment_cost,
)
from tests.reviews.instances import cycle_sized_instance
from tests.reviews.lp import lp_relaxation_objective


def instance(apps: int, revs: int, k: int) -> tuple[
        list[ReviewerSlot], list[ApplicationNeed], set[tuple[int, int]]]:
    # One pair in 300 conflicted, as the figures in RESULTS.md were taken.
    return cycle_sized_instance(apps, revs, k, conflicted_one_in=300)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(kind: str, apps: int, revs: int, k: int, memory_gib: float) -> dict[str, object]:
    """One measurement in this (fresh) process, its address space capped (a large LP
    fails with MemoryError here instead of pushing the machine into the OOM killer)."""
    cap = int(memory_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    reviewers, needs, excluded = instance(apps, revs, k)
    before = _peak_mib()
    start = time.perf_counter()
    if kind == "solve":
        result = assign_reviewers(reviewers, needs, excluded)
        seconds = time.perf_counter() - start
        check = assignment_cost(result.assignments, reviewers, needs)
        return {"seconds": seconds, "objective": result.objective, "check": check,
                "uncovered": len(result.uncovered), "assigned": len(result.assignments),
                "input_mib": before, "peak_mib": _peak_mib()}
    optimum = lp_relaxation_objective(reviewers, needs, excluded)
    return {"seconds": time.perf_counter() - start, "objective": optimum,
            "input_mib": before, "peak_mib": _peak_mib()}


def measure(kind: str, apps: int, revs: int, k: int, timeout: float,
            memory_gib: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", kind, "--sizes", f"{apps}x{revs}",
               "--k", str(k), "--memory-gib", str(memory_gib)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"not finished within {timeout:.0f} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(apps: int, revs: int, k: int, timeout: float, memory_gib: float) -> None:
    solve = measure("solve", apps, revs, k, timeout, memory_gib)
    print(f"\n{apps} applications × {revs} reviewers × {k} each")
    if "error" in solve:
        print(f"  min-cost flow: {solve['error']}")
        return
    print(f"  min-cost flow: {solve['seconds']:.2f} s, peak RSS {solve['peak_mib']:.0f} MiB "
          f"({solve['input_mib']:.0f} MiB after building the input), objective "
          f"{solve['objective']} (recomputed {solve['check']}), {solve['assigned']} "
          f"assignments, {solve['uncovered']} uncovered")
    lp = measure("lp", apps, revs, k, timeout, memory_gib)
    if "error" in lp or lp.get("objective") is None:
        print(f"  LP (HiGHS):    {lp.get('error', 'infeasible')}")
        return
    optimum = float(lp["objective"])  # type: ignore[arg-type]
    gap = (float(solve["objective"]) - optimum) / abs(optimum)  # type: ignore[arg-type]
    print(f"  LP (HiGHS):    {lp['seconds']:.2f} s, peak RSS {lp['peak_mib']:.0f} MiB, "
          f"optimum {optimum:.1f}; gap {gap:.2e} ({float(solve['objective']) - optimum:+.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000x600,10000x2000")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--lp-timeout", type=float, default=1500)
    parser.add_argument("--memory-gib", type=float, default=14,
                        help="address-space cap of each measurement's process")
    parser.add_argument("--child", choices=("solve", "lp"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(args.child, *sizes[0], args.k, args.memory_gib)))
        return
    print(f"machine: {machine()}")
    for apps, revs in sizes:
        report(apps, revs, args.k, args.lp_timeout, args.memory_gib)


if __name__ == "__main__":
    main()
