"""The assignment task's batch form: a relayed batch of confirmed applications is staffed
in one task, each team once, and the same batch delivered again assigns nobody twice."""

from __future__ import annotations

from mqa_workflow.db import Database
from mqa_workflow.outbox.registry import execute_batch
from mqa_workflow.reviews.models import ReviewStage
from mqa_workflow.worker.collect import collect
from tests import factories
from tests.factories import pool, team

TASK = "reviews.assign_document_review"


def test_a_batch_staffs_every_application_once(database: Database) -> None:
    collect()
    with database.session() as session:
        cycle = factories.cycle(session, {"reviewers_per_application": 3})
        ids = [factories.application(session, award_cycle=cycle, state="document_review").id
               for _ in range(3)]
        pool(session, 6)
    items = [({"application_id": id_}, f"{TASK}:{id_}") for id_ in ids]
    for expected in (3, 0):  # the batch, then the same batch delivered again
        with database.session() as session:
            assert execute_batch(session, TASK, items) == expected
    with database.session() as session:
        teams = [team(session, id_, ReviewStage.DOCUMENT_REVIEW) for id_ in ids]
    assert [len(members) for members in teams] == [3, 3, 3]
    assert all(sum(m.is_leader for m in members) == 1 for members in teams)
