"""Flower and the metrics endpoint are never published without a login."""

from __future__ import annotations

import base64
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, Counter

from mqa_workflow.monitoring.http import metrics_server

COMPOSE = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())


@pytest.fixture
def guarded_metrics() -> Iterator[str]:
    registry = CollectorRegistry()
    Counter("mqa_probe", "a figure", registry=registry).inc()
    server = metrics_server(registry, "127.0.0.1", 0, ("prometheus", "s3cret-scrape"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/metrics"
    server.shutdown()
    server.server_close()


def _get(url: str, login: str | None) -> tuple[int, str]:
    headers = {"Authorization": "Basic " + base64.b64encode(login.encode()).decode()} \
        if login else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("WWW-Authenticate", "")


def test_metrics_answer_only_with_the_login(guarded_metrics: str) -> None:
    assert _get(guarded_metrics, None) == (401, 'Basic realm="mqa metrics"')
    assert _get(guarded_metrics, "prometheus:wrong")[0] == 401
    status, body = _get(guarded_metrics, "prometheus:s3cret-scrape")
    assert status == 200 and "mqa_probe_total 1.0" in body


def test_mqa_metrics_serve_refuses_a_public_address_without_a_login(mqa, monkeypatch) -> None:
    monkeypatch.delenv("MQA_METRICS_BASIC_AUTH", raising=False)
    refused = mqa("metrics", "serve", "--address", "0.0.0.0", code=2)
    assert "refusing to serve /metrics on 0.0.0.0 without a login" in refused


def test_compose_passes_the_logins_and_ships_no_default_password() -> None:
    metrics, flower = COMPOSE["services"]["metrics"], COMPOSE["services"]["flower"]
    assert metrics["environment"]["MQA_METRICS_BASIC_AUTH"] == "${MQA_METRICS_BASIC_AUTH:-}"
    assert "0.0.0.0" in metrics["command"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == "${FLOWER_BASIC_AUTH:-}"


@pytest.mark.parametrize(("login", "starts"), [("", False), ("admin", False), (":pw", False),
                                               ("ops:long-password", True)])
def test_flower_refuses_to_start_without_a_login(login: str, starts: bool,
                                                 tmp_path: Path) -> None:
    # Compose turns $$ into $; a stand-in `celery` shows what would be started.
    script = COMPOSE["services"]["flower"]["entrypoint"][2].replace("$$", "$")
    (tmp_path / "celery").write_text('#!/bin/sh\necho "celery $*"\n')
    (tmp_path / "celery").chmod(0o755)
    run = subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                         env={"PATH": f"{tmp_path}:/usr/bin:/bin", "FLOWER_BASIC_AUTH": login})
    if starts:
        assert run.returncode == 0 and run.stdout.strip() == \
            f"celery flower --basic-auth={login}"
    else:
        assert run.returncode == 1 and "refusing to start Flower without a login" in run.stderr
