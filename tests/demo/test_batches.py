"""The demo's phases commit every batch of applications, so the work a batch queued is
visible to the workers (and the relay) while the phase goes on with the next one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.demo.phases import in_batches
from tests import factories


def _profiles(database: Database, ids: list[int]) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(Application.profile).where(
            Application.id.in_(ids)).order_by(Application.id)))


@pytest.mark.postgres
def test_each_batch_is_committed_before_the_next_is_worked_on(
    pg_database: Database,
) -> None:
    with pg_database.session() as session:
        cycle = factories.cycle(session)
        ids = [factories.application(session, award_cycle=cycle, complete=False).id
               for _ in range(5)]
        cycle_id = cycle.id
    seen: list[list[str]] = []
    with pg_database.sessions() as session:
        for n, app in enumerate(in_batches(session, cycle_id, size=2)):
            seen.append(_profiles(pg_database, ids))  # what another process sees now
            app.profile = f"worked on {n}"
    originals = seen[0]
    assert seen[2] == ["worked on 0", "worked on 1", *originals[2:]]  # the first batch
    assert seen[4][:4] == ["worked on 0", "worked on 1", "worked on 2", "worked on 3"]
    assert _profiles(pg_database, ids) == [f"worked on {n}" for n in range(5)]


@pytest.mark.postgres
def test_a_batch_is_read_afresh_after_the_commit_before_it(pg_database: Database) -> None:
    with pg_database.session() as session:
        cycle = factories.cycle(session)
        ids = [factories.application(session, award_cycle=cycle, complete=False).id
               for _ in range(4)]
        cycle_id = cycle.id
    with pg_database.sessions() as session:
        session.get_one(Application, ids[3])  # held by the session from before
        for app in in_batches(session, cycle_id, size=2):
            if app.id == ids[1]:  # meanwhile a worker changes the last one
                with pg_database.session() as other:
                    other.get_one(Application, ids[3]).profile = "changed by a worker"
            if app.id == ids[3]:
                assert app.profile == "changed by a worker"
