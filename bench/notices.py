"""The state-change notice task alone, as a worker runs it: one task per transition, each
in its own transaction with its idempotency key, against PostgreSQL. Prints the wall and
CPU time per task, so the notice path can be compared between two trees on a busy machine
(CPU time is what the task itself costs; wall time adds the wait for a core).

    .venv/bin/python bench/notices.py --tasks 2000 [--contacts 1]
"""

from __future__ import annotations

import argparse
import time

from bench_path import REPO  # noqa: F401  (puts the repository on sys.path)

from bench._services import drop_database, fresh_database, machine
from mqa_workflow.accounts.models import Role
from mqa_workflow.db import Database
from mqa_workflow.migrations.service import upgrade
from mqa_workflow.outbox import registry
from mqa_workflow.worker.collect import collect
from tests import factories

TASK = "notifications.state_changed"
MOVES = (("draft", "submitted", "submit"), ("submitted", "eligibility_check",
                                            "begin_eligibility_check"),
         ("eligibility_check", "document_review", "confirm_eligible"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=1)
    args = parser.parse_args()
    name, url = fresh_database("notices")
    try:
        upgrade(url)
        database = Database(url)
        collect()
        with database.session() as session:
            apps = []
            for _ in range(50):
                app = factories.application(session, complete=False)
                for _ in range(args.contacts):
                    factories.user(session, Role.APPLICANT_CONTACT, organization=app.organization)
                apps.append(app.id)
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(args.tasks):
            source, target, trigger = MOVES[n % len(MOVES)]
            registry.run(database, TASK, {"application_id": apps[n % len(apps)],
                                          "trigger": trigger, "from_state": source,
                                          "to_state": target}, f"bench:{n}")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"machine: {machine()}")
        print(f"{args.tasks} × {TASK}, {args.contacts} contact(s) each: "
              f"{1000 * wall / args.tasks:.2f} ms wall, {1000 * cpu / args.tasks:.2f} ms CPU "
              f"(this process) per task")
        database.engine.dispose()
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
