"""The operator's figures as plain data: when /ops turns red, and the task-duration
histograms the workers keep on the broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mqa_workflow.monitoring.figures import EmailFigures, Figures
from mqa_workflow.outbox.service import OutboxLag
from mqa_workflow.worker.broker import (
    DURATION_BUCKETS,
    PUBLISHED_AT,
    BrokerFigures,
    _durations,
    _published_at,
)

AT = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
LE = [*map(str, DURATION_BUCKETS), "+Inf"]


@given(workers=st.integers(0, 3), reachable=st.booleans(), embedded=st.booleans(),
       broker_age=st.integers(0, 1000), outbox_age=st.integers(0, 1000),
       retrying=st.integers(0, 2), failed=st.integers(0, 2))
def test_the_page_is_red_exactly_when_something_needs_an_operator(
    workers: int, reachable: bool, embedded: bool, broker_age: int, outbox_age: int,
    retrying: int, failed: int,
) -> None:
    broker = None if embedded else BrokerFigures(
        reachable=reachable, workers=workers if reachable else 0,
        oldest_queued_seconds=float(broker_age) if reachable else 0.0,
        error="" if reachable else "ConnectionError: refused")
    outbox = OutboxLag(pending=1, failing=0, oldest_created_at=AT - timedelta(seconds=outbox_age))
    figures = Figures(at=AT, broker=broker, outbox=outbox,
                      email=EmailFigures(pending=retrying, retrying=retrying, failed=failed,
                                         last_error="SMTPConnectError"),
                      queue_age_alert_seconds=300)
    kinds = {alert.kind for alert in figures.alerts}
    assert ("broker_down" in kinds) == (broker is not None and not reachable)
    assert ("no_worker" in kinds) == (broker is not None and reachable and workers == 0)
    oldest = max(outbox_age, broker.oldest_queued_seconds if broker else 0.0)
    assert ("queue_stale" in kinds) == (oldest > 300)
    assert ("smtp_refusing" in kinds) == (retrying > 0)
    assert ("emails_failed" in kinds) == (failed > 0)
    assert figures.healthy == (not kinds)


@given(st.dictionaries(st.sampled_from(LE), st.integers(1, 50), min_size=1))
def test_duration_buckets_read_back_cumulative_ending_at_the_count(
    counts: dict[str, int],
) -> None:
    raw = {f"deadlines.scan|SUCCESS|le={le}".encode(): str(n).encode()
           for le, n in counts.items()}
    raw[b"deadlines.scan|SUCCESS|count"] = str(sum(counts.values())).encode()
    raw[b"deadlines.scan|SUCCESS|sum"] = b"12.5"
    histogram = _durations(raw)[("deadlines.scan", "SUCCESS")]
    cumulative = [value for _, value in histogram.cumulative()]
    assert cumulative == sorted(cumulative) and [le for le, _ in histogram.cumulative()] == LE
    assert cumulative[-1] == histogram.count and histogram.sum == 12.5


def test_a_message_without_our_publish_time_has_no_age() -> None:
    assert _published_at(json.dumps({"headers": {PUBLISHED_AT: 1700000000.5}}).encode()
                         ) == 1700000000.5
    assert _published_at(json.dumps({"headers": {}}).encode()) is None
    assert _published_at(b"not json") is None
    assert _published_at(b"[1, 2]") is None
