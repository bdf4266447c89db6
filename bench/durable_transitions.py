"""Durable transitions per second on PostgreSQL through the engine, beside pgbench.

    .venv/bin/python bench/durable_transitions.py [--applications 2000] [--clients 1,2,4,8]

Each transition is one committed transaction through ``states.engine.advance``: guards,
the state change with its optimistic lock, the hash-chained audit record and the outbox
row, with PostgreSQL's durable commit (``synchronous_commit`` as the server has it). The
clients are separate processes, each advancing its own applications (submit, then
begin_eligibility_check). In the same run ``pgbench -b simple-update`` measures the
server's ceiling for a small durable write transaction with the same client counts.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import re
import subprocess
import time

from bench_path import REPO  # noqa: F401  (puts the repository on sys.path)
from sqlalchemy import Engine, event, select

from bench._services import drop_database, fresh_database, machine, server_setting
from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user
from mqa_workflow.applications.models import Application
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.db import Database
from mqa_workflow.demo import data
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.states.engine import advance

TRIGGERS = ("submit", "begin_eligibility_check")
PROFILED = ("mqa_workflow", "psycopg/cursor", "psycopg/connection", "~")  # ~: built-ins


def _populate(url: str, count: int) -> None:
    import random

    database = Database(url)
    with database.session() as session:
        add_user(session, name="管理员", email="admin@bench.cn", roles=[Role.ADMINISTRATOR])
        cycle = create_cycle(session, year=2026, name="bench")
        data.make_applicants(session, random.Random(1), cycle, count)
    database.engine.dispose()


def _client(url: str, ids: list[int], trigger: str, start_at: float,
            results: multiprocessing.Queue, hold: float = 0.0) -> None:  # type: ignore[type-arg]
    database = Database(url)
    with database.session() as session:
        admin_id = session.query(User.id).filter(User.email == "admin@bench.cn").scalar()
    while time.time() < start_at:  # every client starts together
        time.sleep(0.001)
    began = time.perf_counter()
    for application_id in ids:
        with database.session() as session:  # one transaction, one durable commit
            # the actor by id: loaded with the application, in the engine's one query
            advance(session, application_id, trigger, admin_id)
            time.sleep(hold)  # the rest of the unit of work, still inside the transaction
    results.put((len(ids), time.perf_counter() - began))
    database.engine.dispose()


def engine_tps(url: str, ids: list[int], clients: int, trigger: str,
               hold: float = 0.0) -> float:
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    start_at = time.time() + 1.5
    processes = [multiprocessing.Process(target=_client, args=(
        url, ids[n::clients], trigger, start_at, results, hold)) for n in range(clients)]
    for process in processes:
        process.start()
    done = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    return sum(n for n, _ in done) / max(seconds for _, seconds in done)


def pgbench_tps(clients: int, seconds: int) -> float:
    name, _ = fresh_database("pgbench")
    subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-i", "-q", "-s", "10",
                    name], check=True, capture_output=True)
    run = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-b",
                          "simple-update", "-c", str(clients), "-j", str(min(clients, 2)),
                          "-T", str(seconds), name], check=True, capture_output=True, text=True)
    drop_database(name)
    match = re.search(r"tps = ([\d.]+)", run.stdout)
    return float(match.group(1)) if match else float("nan")


def profile(url: str, ids: list[int], top: int = 14) -> None:
    """Where one client's time goes: cProfile of a single-client run, in this process."""
    profiler = cProfile.Profile()
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    sent: list[str] = []  # every statement of the profiled client's transitions, COMMIT too
    event.listen(Engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    event.listen(Engine, "commit", lambda _conn: sent.append("COMMIT"))
    profiler.enable()
    _client(url, ids, TRIGGERS[0], time.time(), results)
    profiler.disable()
    count, seconds = results.get()
    stats = pstats.Stats(profiler)
    print(f"\none client, profiled: {count} transitions in {seconds:.1f} s "
          f"({1000 * seconds / count:.1f} ms each, with the profiler's overhead); "
          f"{(len(sent) - 2) / count:.2f} statements per transition, COMMIT included "
          "(psycopg's BEGIN, sent before the first, is one more round trip)")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][3], reverse=True)  # type: ignore[attr-defined]
    shown = 0
    for (filename, line, function), (_, _, _own, cumulative, _) in rows:
        if not any(part in filename for part in PROFILED):
            continue
        per = 1000 * cumulative / count
        print(f"  {per:6.2f} ms  {filename.rsplit('/', 2)[-1]}:{line} {function}")
        shown += 1
        if shown >= top:
            break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=600,
                        help="applications per row (each row advances fresh ones)")
    parser.add_argument("--clients", default="1,2,4,8")
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--hold-ms", type=float, default=0.0,
                        help="keep each transaction open this long after the transition "
                             "(work after the write, or a remote database's round trip): "
                             "what a lock held to commit by every append serialises")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    print(f"machine: {machine()}")
    print(f"PostgreSQL {server_setting('server_version')}, synchronous_commit="
          f"{server_setting('synchronous_commit')}, fsync={server_setting('fsync')}, "
          f"wal_sync_method={server_setting('wal_sync_method')}")
    name, url = fresh_database("transitions")
    upgrade(url)
    _populate(url, args.applications * (len(counts) + 1))  # one fresh slice per row
    database = Database(url)
    with database.session() as session:
        ids = list(session.scalars(select(Application.id).order_by(Application.id)))
    database.engine.dispose()
    print(f"{'clients':>7}  {'engine tr/s':>11}  {'pgbench simple-update tps':>25}  ratio")
    for row, clients in enumerate(counts):
        mine = ids[row * args.applications:(row + 1) * args.applications]
        rates = [engine_tps(url, mine, clients, trigger, args.hold_ms / 1000)
                 for trigger in TRIGGERS]
        engine = sum(rates) / len(rates)
        ceiling = pgbench_tps(clients, args.pgbench_seconds)
        print(f"{clients:>7}  {engine:>11.1f}  {ceiling:>25.1f}  {engine / ceiling:.1%}",
              flush=True)
    print(f"(engine: {args.applications} applications × {len(TRIGGERS)} transitions per row, "
          f"{' and '.join(TRIGGERS)}, averaged, each transaction held open "
          f"{args.hold_ms:g} ms more; pgbench: scale 10, "
          f"{args.pgbench_seconds} s per row)")
    profile(url, ids[len(counts) * args.applications:])
    drop_database(name)


if __name__ == "__main__":
    main()
