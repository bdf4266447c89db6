"""The operators' figures and the failing rows behind them, as the API shows them
(built by web/operations.py and monitoring/figures.py)."""

from __future__ import annotations

from pydantic import Field

from mqa_workflow.web.api.schemas.common import Moment, Read


class AlertRead(Read):
    kind: str
    detail: str


class BrokerRead(Read):
    reachable: bool
    error: str
    depths: dict[str, int]
    oldest_queued_seconds: float
    workers: list[str]
    running: int
    retried: dict[str, int]
    failed: dict[str, int]


class OutboxRead(Read):
    pending: int
    failing: int
    lag_seconds: float


class EmailFiguresRead(Read):
    pending: int
    retrying: int
    failed: int
    sent: int
    last_error: str


class FailingTaskRead(Read):
    id: int
    task: str
    attempts: int
    last_error: str | None
    available_at: Moment | None
    available_at_beijing: str


class EmailRead(Read):
    id: int
    event: str
    subject: str
    status: str = Field(description="retrying, or failed (given up)")
    attempts: int
    last_error: str | None
    next_attempt_at: Moment | None
    next_attempt_at_beijing: str


class OverdueRead(Read):
    kind: str
    application_id: int
    responsible: list[str]
    due_at: Moment | None
    due_at_beijing: str


class OverviewRead(Read):
    at: Moment
    healthy: bool
    alerts: list[AlertRead]
    broker: BrokerRead | None = Field(description="null when tasks run in process")
    tasks_in_process: bool
    oldest_queued_seconds: float
    outbox: OutboxRead
    email: EmailFiguresRead
    overdue: list[OverdueRead] = Field(description="The overdue work itself (the counts: "
                                       "overdue_counts)")
    at_beijing: str
    overdue_counts: dict[str, int] = Field(description="kind of work → overdue pieces")
    queue_age_alert_seconds: float
    alert_titles: dict[str, str]
    work_titles: dict[str, str]
    flower_url: str
    refresh_seconds: int
    failing_tasks: list[FailingTaskRead]
    unsent_emails: list[EmailRead]
    failed_emails: list[EmailRead]


class RetriedTaskRead(Read):
    detail: str
    id: int
    task: str


class QueuedRead(Read):
    queued: int
