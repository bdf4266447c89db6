"""A released cycle's "feedback report ready" announcements by the batch: one task for the
batch's rows queues each applicant's notice once, and a redelivered batch queues none."""

from __future__ import annotations

from sqlalchemy import select

from mqa_workflow.clock import now
from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.outbox.registry import execute_batch
from mqa_workflow.reports.service import FEEDBACK_READY
from mqa_workflow.worker.collect import collect
from tests import factories


def test_a_batch_announces_each_released_report_once(database: Database) -> None:
    collect()
    with database.session() as session:
        cycle = factories.cycle(session)
        awarded = [factories.application(session, award_cycle=cycle, state="awarded_grand").id
                   for _ in range(2)]
        ineligible = factories.application(session, award_cycle=cycle, state="ineligible").id
        cycle.results_released_at = now()  # test set-up: the office released the results
    items = [({"application_id": id_}, f"{FEEDBACK_READY}:1:{id_}")
             for id_ in [*awarded, ineligible]]
    for expected in (3, 0):  # the batch, then the same batch delivered again
        with database.session() as session:
            assert execute_batch(session, FEEDBACK_READY, items) == expected
    with database.session() as session:
        keys = list(session.scalars(select(OutboxMessage.idempotency_key).where(
            OutboxMessage.task == "notifications.feedback_report_ready")
            .order_by(OutboxMessage.id)))
    assert keys == [f"feedback-ready:{id_}" for id_ in awarded]  # no report when ineligible
