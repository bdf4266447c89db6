"""The worker's ``collect()`` finds every task the workflow queues and the beat starts, and
the domains below the adapters never import Celery (or any other adapter's framework)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mqa_workflow
from mqa_workflow.config import Settings
from mqa_workflow.deadlines.tasks import SCAN
from mqa_workflow.notifications.service import SEND_EMAIL
from mqa_workflow.notifications.tasks import DELIVER, STATE_CHANGED
from mqa_workflow.outbox.registry import BATCH_SUFFIX, batched_tasks, periodic_tasks, task
from mqa_workflow.states.engine import CHECKPOINT_TASK
from mqa_workflow.states.release import FEEDBACK_PDF, FEEDBACK_READY
from mqa_workflow.states.table import TRANSITIONS
from mqa_workflow.worker.celery_app import make_celery, sender
from mqa_workflow.worker.collect import collect

PACKAGE = Path(mqa_workflow.__file__).parent
ADAPTERS = {"cli", "demo", "web", "worker", "monitoring", "migrations"}
FORBIDDEN = ("celery", "kombu", "typer", "fastapi", "starlette",
             "mqa_workflow.web", "mqa_workflow.cli", "mqa_workflow.worker")


def test_every_task_the_workflow_queues_is_collected_and_bound() -> None:
    queued = {name for spec in TRANSITIONS for name in spec.tasks}
    # Queued outside the transition table: the audit checkpoint, e-mails, released reports
    # (the notice, and the PDF rendered once and kept).
    queued |= {CHECKPOINT_TASK, SEND_EMAIL, FEEDBACK_READY, FEEDBACK_PDF,
               "notifications.feedback_report_ready"}
    assert queued <= set(collect())
    app = make_celery(Settings(broker_url=""))
    assert queued <= set(app.tasks)


def test_the_state_change_notices_have_a_batch_form_the_worker_binds() -> None:
    collect()
    assert STATE_CHANGED in batched_tasks()
    app = make_celery(Settings(broker_url=""))
    assert {name + BATCH_SUFFIX for name in batched_tasks()} <= set(app.tasks)
    assert STATE_CHANGED in sender(app).batchable  # the relay sends those rows together


def test_the_beat_schedule_is_built_from_the_periodic_tasks_the_domains_declare() -> None:
    collect()
    assert set(periodic_tasks()) == {SCAN, DELIVER}
    app = make_celery(Settings(broker_url="", scan_interval_seconds=42))
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule == {SCAN: 42.0, DELIVER: 60.0}
    assert {SCAN, DELIVER} <= set(app.tasks)


def test_a_task_name_cannot_be_taken_twice() -> None:
    collect()
    with pytest.raises(ValueError, match="registered twice"):
        task("scoring.consolidate")(lambda session, **_: None)


def _domain_modules() -> list[str]:
    """Every module below the adapters (domains, workflow, models and vocabulary), found on
    disk: walking the package with pkgutil would import the adapters' packages itself."""
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] in ADAPTERS:
            continue
        name = ".".join(("mqa_workflow", *parts)).removesuffix(".__init__")
        modules.append(name)
    return modules


def test_no_domain_module_imports_celery_or_an_adapter() -> None:
    modules = _domain_modules()
    assert "mqa_workflow.reviews.sheets" in modules and "mqa_workflow.reviews.tasks" in modules
    # A fresh interpreter: this test process has long since imported Celery and the web.
    script = (
        "import importlib, json, sys\n"
        f"forbidden = {FORBIDDEN!r}\n"
        "found = {}\n"
        f"for name in {modules!r}:\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module(name)\n"
        "    new = sorted(m for m in set(sys.modules) - before if m in forbidden\n"
        "                 or m.startswith(tuple(f + '.' for f in forbidden)))\n"
        "    if new:\n"
        "        found[name] = new[:3]\n"
        "print(json.dumps(found))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=PACKAGE.parent)
    assert json.loads(result.stdout) == {}


def test_only_the_domains_tasks_modules_use_the_task_registry() -> None:
    """A service stays callable on its own: its tasks are one-liners in its ``tasks.py``."""
    users = set()
    for name in _domain_modules():
        path = PACKAGE.parent.joinpath(*name.split(".")).with_suffix(".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.ImportFrom) and node.module == "mqa_workflow.outbox.registry"
               for node in ast.walk(tree)):
            users.add(name)
    assert users and all(name.endswith(".tasks") for name in users), sorted(users)
