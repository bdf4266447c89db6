"""``/metrics`` on the web application: requests by route template and status, durations,
the operator's gauges, counters present at zero from the start; only operators,
administrators or the scrape token read it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mqa_workflow.config import get_settings
from mqa_workflow.web.app import create_app
from tests.e2e.world import World


@pytest.fixture
def to_review() -> bool:
    return False  # the figures need only traffic


def _value(body: str, series: str) -> float:
    found = re.search(rf"^{re.escape(series)} (\S+)$", body, re.MULTILINE)
    assert found, f"{series} is not exposed"
    return float(found.group(1))


def test_counters_exist_at_zero_before_any_request(api: dict[str, TestClient]) -> None:
    body = api["operator"].get("/metrics").text
    assert _value(body, 'mqa_http_requests_total{method="GET",route="/api/standards",'
                        'status="200"}') == 0
    assert _value(body, 'mqa_http_request_duration_seconds_count{method="GET",'
                        'route="/api/standards",status="200"}') == 0
    assert _value(body, 'mqa_tasks_failed_total{task="notifications.send_email"}') == 0
    assert _value(body, 'mqa_tasks_retried_total{task="scoring.consolidate"}') == 0
    assert _value(body, 'mqa_task_duration_seconds_count{state="SUCCESS",'
                        'task="reviews.assign_document_review"}') == 0
    assert _value(body, 'mqa_email_deliveries{status="failed"}') == 0
    assert _value(body, "mqa_outbox_pending") == 0
    assert _value(body, 'mqa_alert{kind="no_worker"}') == 0


def test_requests_are_counted_by_route_template_and_status_not_by_raw_path(
    world: World, api: dict[str, TestClient]
) -> None:
    admin = api["admin"]
    for application_id in (world.application_id, world.other_application_id, 999999):
        admin.get(f"/api/applications/{application_id}")
    admin.get("/no/such/page")
    body = api["operator"].get("/metrics").text
    route = 'route="/api/applications/{application_id}"'
    assert _value(body, f'mqa_http_requests_total{{method="GET",{route},status="200"}}') == 2
    assert _value(body, f'mqa_http_requests_total{{method="GET",{route},status="404"}}') == 1
    assert _value(body, 'mqa_http_requests_total{method="GET",route="<unmatched>",'
                        'status="404"}') == 1
    assert _value(body, f'mqa_http_request_duration_seconds_count{{method="GET",{route},'
                        'status="200"}') == 2
    assert str(world.application_id) not in re.findall(r'route="([^"]*)"', body)


def test_only_operators_administrators_or_the_scrape_token_read_the_metrics(
    world: World, api: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api["admin"].get("/metrics").status_code == 200
    refused = api["reviewer"].get("/metrics")
    assert refused.status_code == 403 and "operator or administrator" in refused.text
    monkeypatch.setenv("MQA_METRICS_TOKEN", "scrape-secret")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(world.database)) as scraper:
            assert scraper.get("/metrics").status_code == 401
            assert scraper.get("/metrics", headers={
                "Authorization": "Bearer wrong"}).status_code == 401
            scraped = scraper.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
            assert scraped.status_code == 200 and "mqa_broker_up 0.0" in scraped.text
    finally:
        get_settings.cache_clear()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=5))
def test_no_requested_id_ever_becomes_part_of_a_route_label(api: dict[str, TestClient],
                                                            ids: list[int]) -> None:
    for application_id in ids:
        api["admin"].get(f"/api/applications/{application_id}/history")
        api["admin"].get(f"/static/{application_id}.css")
        api["admin"].get(f"/admin/cases/{application_id}")
    labels = set(re.findall(r'route="([^"]*)"', api["operator"].get("/metrics").text))
    assert {"/api/applications/{application_id}/history", "/static"} <= labels
    segments = {segment for label in labels for segment in label.split("/")}
    assert not segments & {str(i) for i in ids} and not segments & {f"{i}.css" for i in ids}
