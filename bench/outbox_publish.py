"""Publishing outbox rows to the broker: ``--rows`` rows enqueued, then relayed by
``dispatch_pending`` to a private redis-server, twice (the first round also builds the
Celery app). Prints the time per row.

    .venv/bin/python bench/outbox_publish.py --rows 1000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_path import REPO  # noqa: F401  (puts the repository on sys.path)

from bench._services import drop_database, fresh_database, machine, private_redis
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.worker.dispatch import dispatch_pending


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    name, url = fresh_database("publish")
    try:
        upgrade(url)
        database = Database(url)
        print(f"machine: {machine()}")
        with private_redis(Path(f"/tmp/mqa-bench-publish-{name}")) as redis:
            settings = Settings(database_url=url, broker_url=redis.url,
                                result_backend=redis.url)
            for round_ in range(2):
                with database.session() as session:
                    for n in range(args.rows):
                        enqueue(session, "notifications.state_changed", {"n": n},
                                f"publish:{round_}:{n}")
                started = time.perf_counter()
                run = dispatch_pending(database, settings)
                took = time.perf_counter() - started
                print(f"round {round_ + 1}: {run.sent} rows in {took:.2f} s, "
                      f"{1000 * took / max(run.sent, 1):.2f} ms per row")
        database.engine.dispose()
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
