"""The operators' page: health at a glance, red for no worker, stale queued work and a mail
server that refuses; e-mails with their error and next attempt in Beijing time; a link to
Flower; it refreshes itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mqa_workflow.clock import set_clock
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database
from mqa_workflow.notifications.delivery import deliver_due
from mqa_workflow.notifications.models import Delivery
from mqa_workflow.web.app import create_app
from tests.e2e.world import World, build
from tests.services import RedisServer, free_port
from tests.web.test_pages import sign_in

T0 = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


@pytest.fixture
def refusing_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """E-mail configured to an SMTP port nobody listens on, from T0 (before the world)."""
    monkeypatch.setenv("MQA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MQA_SMTP_PORT", str(free_port()))
    get_settings.cache_clear()
    set_clock(lambda: T0)
    yield
    set_clock(None)


@pytest.fixture
def world(sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("MQA_FLOWER_URL", "https://flower.office.sz/")
    get_settings.cache_clear()
    yield build(sqlite_database)  # the assignment notices are e-mailed when SMTP is set
    get_settings.cache_clear()


@pytest.fixture
def browser(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.database), follow_redirects=False) as client:
        yield client


def test_all_clear_in_process_is_green_refreshes_itself_and_links_flower(
    browser: TestClient, world: World
) -> None:
    sign_in(browser, world, "operator")
    page = browser.get("/ops")
    assert page.status_code == 200 and page.headers["refresh"] == "30"
    assert 'data-healthy="yes"' in page.text and "一切正常" in page.text
    assert "进程内运行（无消息代理）" in page.text and "北京时间" in page.text
    assert 'href="https://flower.office.sz/"' in page.text
    english = browser.get("/ops", cookies={"lang": "en"})
    assert "All clear" in english.text and "In-process (no broker)" in english.text


def test_a_refusing_mail_server_turns_the_page_red_with_the_error_and_next_attempt(
    refusing_smtp: None, browser: TestClient, world: World
) -> None:
    deliver_due(world.database)  # nothing more is due yet: each was tried once at T0
    with world.database.session() as session:
        retried = session.query(Delivery).filter(Delivery.attempts == 1).count()
    assert retried >= 1
    sign_in(browser, world, "operator")
    page = browser.get("/ops").text
    assert 'data-healthy="no"' in page and 'data-alert="smtp_refusing"' in page
    assert "邮件服务器拒收邮件" in page and "ConnectionRefusedError" in page
    assert "2026-10-01 09:01" in page  # the next attempt, a minute later, Beijing time


def test_no_worker_on_a_live_broker_turns_the_page_red(
    browser: TestClient, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    try:
        monkeypatch.setenv("MQA_BROKER_URL", redis.url)
        get_settings.cache_clear()
        sign_in(browser, world, "operator")
        page = browser.get("/ops").text
        assert 'data-alert="no_worker"' in page and "没有运行中的工作进程" in page
        assert "队列 work" in page
        redis.stop()
        down = browser.get("/ops").text
        assert 'data-alert="broker_down"' in down and "ConnectionError" in down
    finally:
        redis.stop()
        monkeypatch.delenv("MQA_BROKER_URL")
        get_settings.cache_clear()


def test_operators_page_stays_closed_to_others(browser: TestClient, world: World) -> None:
    sign_in(browser, world, "reviewer")
    assert browser.get("/ops").status_code == 403


