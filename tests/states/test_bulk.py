"""Bulk advance in batches: one transaction per batch, and a refusal inside a batch
never undoes the moves beside it."""

from __future__ import annotations

from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.db import Database
from mqa_workflow.states.bulk import advance_all
from tests import factories


def test_a_refused_application_in_a_batch_leaves_the_others_moved(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        ready = [factories.application(session, award_cycle=cycle).id for _ in range(4)]
        blank = factories.application(session, award_cycle=cycle, complete=False).id
        admin = factories.user(session, Role.ADMINISTRATOR).email
        cycle_id = cycle.id
    report = advance_all(database, cycle_id=cycle_id, award_class=None, trigger="submit",
                         actor_ref=admin, batch=2)
    assert sorted(report.moved) == ready
    assert list(report.refused) == [blank]
    assert any("no written answer" in problem for problem in report.refused[blank])
    with database.session() as session:
        states = dict(session.execute(select(Application.id, Application.state)).all())
        assert {states[i] for i in ready} == {"submitted"} and states[blank] == "draft"
        assert verify_chain(session) == (4, None)
        assert session.scalars(select(AuditRecord.data)).all() == [{"bulk": True}] * 4


def test_a_bulk_move_with_row_changing_effects_keeps_each_in_its_own_savepoint(
    database: Database,
) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        ids = [factories.application(session, award_cycle=cycle, state="submitted").id
               for _ in range(3)]
        admin = factories.user(session, Role.ADMINISTRATOR).email
        cycle_id = cycle.id
    # withdraw needs a reason and re-ranks the class (an effect that changes rows)
    refused = advance_all(database, cycle_id=cycle_id, award_class=None, trigger="withdraw",
                          actor_ref=admin, batch=2)
    assert refused.moved == [] and sorted(refused.refused) == ids
    moved = advance_all(database, cycle_id=cycle_id, award_class=None, trigger="withdraw",
                        actor_ref=admin, reason="申报单位主动撤回", batch=2)
    assert sorted(moved.moved) == ids
    with database.session() as session:
        assert set(session.scalars(select(Application.state))) == {"withdrawn"}
        assert verify_chain(session) == (3, None)
