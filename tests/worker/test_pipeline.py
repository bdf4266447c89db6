"""The pipeline's tasks (assignment, consolidation) run by a real Celery worker on the
real Redis broker against PostgreSQL, exactly as in production."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ConsensusSheet, PoolReviewer, ReviewAssignment
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.states.engine import advance
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories
from tests.conftest import REDIS_URL, service_missing
from tests.factories import everything
from tests.services import start_worker, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def broker() -> str:
    if not REDIS_URL:
        service_missing("MQA_TEST_REDIS_URL")
    return REDIS_URL.rsplit("/", 1)[0] + "/7"  # a database of its own on the real server


@pytest.fixture
def worker(pg_database: Database, broker: str, tmp_path: Path) -> Iterator[Settings]:
    process = start_worker(pg_database.url, broker, tmp_path / "worker.log")
    yield Settings(database_url=pg_database.url, broker_url=broker, result_backend=broker)
    stop(process)


def _count(database: Database, query) -> int:
    with database.session() as session:
        return session.scalar(query) or 0


def test_the_worker_assigns_reviewers_and_consolidates_scores(
    pg_database: Database, worker: Settings
) -> None:
    with pg_database.session() as session:
        cycle = factories.cycle(session, {"reviewers_per_application": 2})
        apps = [factories.application(session, state="eligibility_check", award_cycle=cycle)
                for _ in range(3)]
        for n in range(6):
            user = factories.user(session, Role.REVIEWER)
            session.add(PoolReviewer(user_id=user.id, classes=["economic"],
                                     industries=["电子信息"], capacity=3, may_lead=n < 3))
        admin = factories.user(session)
        for app in apps:
            advance(session, app.id, "confirm_eligible", admin)
    # per application: the assignment, the notice to the new team, the notice to the applicant
    assert dispatch_pending(pg_database, worker).sent == 9
    wait_for(lambda: _count(pg_database, select(func.count()).select_from(
        ReviewAssignment)) == 6, 60, "the worker to assign two reviewers per application")
    with pg_database.session() as session:
        leaders = session.scalar(select(func.count()).where(ReviewAssignment.is_leader))
        assert leaders == 3

        target = apps[0].id
        for stage, value in (("document_review", 60), ("site_visit", 70)):
            session.add(ConsensusSheet(application_id=target, stage=stage,
                                       percentages=everything(value), total=Decimal(0),
                                       recorded_by=admin.id))
        session.flush()
        from mqa_workflow.outbox.service import enqueue

        enqueue(session, "scoring.consolidate", {"application_id": target}, "consolidate-1")
    assert dispatch_pending(pg_database, worker).sent == 1
    wait_for(lambda: _count(pg_database, select(ConsolidatedScore.total)) > 0, 60,
             "the worker to consolidate the score")
    with pg_database.session() as session:
        assert session.get(ConsolidatedScore, target).total == Decimal("330")  # .4×300+.6×350
