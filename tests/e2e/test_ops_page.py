"""End to end in Debian's chromium: an operator signs in and reads /ops while the mail
server refuses e-mails and a review is overdue; the page is red, says why in Chinese, shows
each e-mail's error and next attempt in Beijing time, links Flower, and reloads itself.
Screenshots: ``artifacts/e2e/ops-operator.png`` and, with a broker and no worker,
``artifacts/e2e/ops-no-worker-operator.png``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from mqa_workflow.clock import now
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ReviewAssignment
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build
from tests.migrated import migrated_sqlite
from tests.services import RedisServer, free_port, web_server


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("MQA_SMTP_HOST", "127.0.0.1")  # nobody listens: every e-mail refused
    monkeypatch.setenv("MQA_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("MQA_FLOWER_URL", "http://127.0.0.1:5555/")
    get_settings.cache_clear()
    url = migrated_sqlite(tmp_path / 'ops.sqlite3')
    database = Database(url)
    world = build(database)  # assignment notices: their e-mails are refused
    with database.session() as session:
        review = session.query(ReviewAssignment).order_by(ReviewAssignment.id).first()
        assert review is not None
        review.due_at = now() - timedelta(days=1)  # one review overdue
    yield world
    database.engine.dispose()
    get_settings.cache_clear()


def test_an_operator_sees_red_health_refused_emails_and_overdue_work(
        world: World, chromium: object) -> None:
    from playwright.sync_api import expect

    with web_server(world.database) as base:
        operator = Person(chromium, base, world.emails["operator"], "operator")
        page = operator.page
        response = page.goto("/ops")
        assert response is not None and response.headers.get("refresh") == "30"
        expect(page.locator("#health")).to_have_attribute("data-healthy", "no")
        expect(page.locator("[data-alert=smtp_refusing]")).to_contain_text("邮件服务器拒收邮件")
        expect(page.locator("#workers")).to_contain_text("进程内运行")
        expect(page.locator("#unsent-emails")).to_contain_text("ConnectionRefusedError")
        expect(page.locator("#unsent-emails")).to_contain_text("重试中")
        expect(page.locator("#overdue")).to_contain_text("评审评分表")
        expect(page.locator("#flower")).to_have_attribute("href", "http://127.0.0.1:5555/")
        expect(page.locator("h1 small")).to_contain_text("北京时间")
        operator.shot("ops")
        # The page reloads itself (the Refresh header): a new request within ~30 s.
        with page.expect_response(lambda r: r.url.endswith("/ops"), timeout=40_000):
            pass
        expect(page.locator("#health")).to_have_attribute("data-healthy", "no")


def test_with_a_broker_and_no_worker_the_page_says_so_in_red(
        world: World, chromium: object, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    monkeypatch.setenv("MQA_BROKER_URL", redis.url)  # after the world: nothing queued there
    get_settings.cache_clear()
    try:
        with web_server(world.database) as base:
            operator = Person(chromium, base, world.emails["operator"], "operator")
            operator.page.goto("/ops")
            expect(operator.page.locator("[data-alert=no_worker]")).to_contain_text(
                "没有运行中的工作进程")
            expect(operator.page.locator("#workers")).to_contain_text("0")
            operator.shot("ops-no-worker")
    finally:
        redis.stop()
