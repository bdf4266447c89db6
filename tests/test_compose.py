"""The deployment as docker-compose.yml and the Dockerfile describe it (no Docker here:
the files are read as data): one image built once, no default database password, the
web app's processes and proxy headers, beat's schedule kept across restarts."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]
RAW = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(RAW)
SERVICES = COMPOSE["services"]
ENGINE = {name for name, service in SERVICES.items() if service.get("image") == "mqa-workflow"}


def test_the_engine_image_is_built_once_and_never_pulled() -> None:
    built = [name for name, service in SERVICES.items() if "build" in service]
    assert built == ["migrate"]
    assert {"web", "worker", "notifier", "beat", "relay", "metrics", "cli"} <= ENGINE
    for name in ENGINE - {"migrate"}:
        assert SERVICES[name]["pull_policy"] == "never", name
        # every one of them starts after the migration, i.e. after the image was built
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully", name


def test_there_is_no_default_database_password() -> None:
    uses = re.findall(r"\$\{POSTGRES_PASSWORD([^}]*)\}", RAW)
    assert len(uses) == 2 and all(use.startswith(":?") for use in uses), uses
    assert "mqa:mqa@" not in RAW


def test_the_web_app_runs_several_processes_behind_the_proxy() -> None:
    web = SERVICES["web"]
    command = web["command"]
    assert command[command.index("--workers") + 1] == "${WEB_WORKERS:-2}"
    # uvicorn believes X-Forwarded-* only from these addresses (`mqa serve` turns the
    # proxy headers on)
    assert web["environment"]["FORWARDED_ALLOW_IPS"] == "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
    assert web["environment"]["MQA_DATABASE_URL"] == \
        SERVICES["worker"]["environment"]["MQA_DATABASE_URL"]
    assert "proxy_headers=True" in (ROOT / "mqa_workflow/cli/web.py").read_text()


def test_beat_keeps_its_schedule_on_a_volume() -> None:
    beat = SERVICES["beat"]
    schedule = beat["entrypoint"][beat["entrypoint"].index("--schedule") + 1]
    mounts = dict(volume.split(":")[::-1] for volume in beat["volumes"])
    assert mounts.get(str(Path(schedule).parent)) in COMPOSE["volumes"]
    # the audit key and checkpoints stay shared with the other engine processes
    assert {"audit-key", "audit-checkpoints"} <= set(mounts.values())


def test_the_image_carries_every_data_folder_the_wheel_includes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in included:
        assert f"COPY {folder} ./{folder}" in dockerfile, folder
    assert "libpango" in dockerfile  # WeasyPrint, for the feedback report's PDF


def test_the_operators_settings_reach_every_engine_process() -> None:
    # /ops links to Flower and turns red past the queue-age threshold; /metrics takes the
    # scraper's token: without these the deployment's /ops had no Flower link at all.
    environment = COMPOSE["x-engine"]["environment"]
    for name in ("MQA_FLOWER_URL", "MQA_QUEUE_AGE_ALERT_SECONDS", "MQA_METRICS_TOKEN",
                 "MQA_EMAIL_MAX_ATTEMPTS"):
        assert environment[name].startswith(f"${{{name}:-"), name
    assert environment["MQA_FLOWER_URL"].endswith(":5555}")
    for name in ENGINE:
        assert SERVICES[name]["environment"]["MQA_FLOWER_URL"], name
