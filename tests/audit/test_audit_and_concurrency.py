"""The audit chain catches tampering; concurrent advances never half-write."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import ChainBreak, verify_chain
from mqa_workflow.db import Database
from mqa_workflow.errors import DomainError
from mqa_workflow.states.engine import advance
from tests import factories
from tests.audit.tamper import unprotect
from tests.services import two_admins_at_once


def _three_transitions(database: Database) -> int:
    with database.session() as session:
        application = factories.application(session, state="submitted")
        admin = factories.user(session)
        for trigger, reason in (("begin_eligibility_check", ""),
                                ("return_for_correction", "营业执照不清晰"),
                                ("declare_ineligible", "逾期未补正")):
            advance(session, application.id, trigger, admin, reason=reason)
        return application.id


def _verify_after(database: Database, *attack: str) -> tuple[int, ChainBreak | None]:
    """Three transitions audited, then ``attack`` run with the triggers off: what the
    chain check says (records verified, first break)."""
    _three_transitions(database)
    unprotect(database)
    with database.engine.begin() as connection:
        for statement in attack:
            connection.execute(text(statement))
    with database.session() as session:
        return verify_chain(session)


def test_the_database_refuses_to_change_an_audit_record(database: Database) -> None:
    _three_transitions(database)
    with pytest.raises(Exception, match="append-only"), database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET reason = 'x' WHERE seq = 2"))
    with pytest.raises(Exception, match="append-only"), database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE seq = 3"))


def test_verify_finds_the_first_altered_record(database: Database) -> None:
    checked, broken = _verify_after(database,
                                    "UPDATE audit_records SET reason = '材料齐全' WHERE seq = 2")
    assert checked == 1 and broken is not None and broken.seq == 2
    assert "content was altered" in str(broken)


def test_verify_finds_a_deleted_record(database: Database) -> None:
    checked, broken = _verify_after(database, "DELETE FROM audit_records WHERE seq = 2")
    assert checked == 1 and broken is not None and broken.seq == 3
    assert "out of order" in broken.problem


def test_verify_finds_records_swapped_in_order(database: Database) -> None:
    # Both places swapped: the global reading order and the place in the chain.
    checked, broken = _verify_after(
        database, "UPDATE audit_records SET seq = 100, chain_seq = 100 WHERE seq = 2",
        "UPDATE audit_records SET seq = 2, chain_seq = 2 WHERE seq = 3",
        "UPDATE audit_records SET seq = 3, chain_seq = 3 WHERE seq = 100")
    assert checked == 1 and broken is not None and broken.seq == 2
    assert "does not link" in broken.problem


@pytest.mark.postgres
def test_two_admins_racing_on_postgresql_exactly_one_wins(pg_database: Database) -> None:
    with pg_database.session() as session:
        app_id = factories.application(session, state="submitted").id
        emails = [factories.user(session).email for _ in range(2)]
    outcomes = two_admins_at_once(pg_database, app_id, "begin_eligibility_check", emails)
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1
    assert "changed by someone else" in next(o for o in outcomes if o != "won")
    with pg_database.session() as session:
        assert session.get(Application, app_id).state == "eligibility_check"
        assert len(session.scalars(select(AuditRecord)).all()) == 1


@pytest.mark.postgres
def test_concurrent_transitions_keep_one_unbroken_chain(pg_database: Database) -> None:
    with pg_database.session() as session:
        cycle = factories.cycle(session)
        ids = [factories.application(session, state="submitted", award_cycle=cycle).id
               for _ in range(12)]
        email = factories.user(session, Role.ADMINISTRATOR).email
    errors: list[Exception] = []

    def move(application_id: int) -> None:
        try:
            with pg_database.session() as session:
                advance(session, application_id, "begin_eligibility_check",
                        get_user(session, email))
        except (DomainError, Exception) as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=move, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with pg_database.session() as session:
        assert verify_chain(session) == (12, None)


@pytest.mark.postgres
def test_a_transition_that_waited_for_its_chain_links_to_the_record_written_meanwhile(
    pg_database: Database,
) -> None:
    """The transition's loading query reads the chain's end while it takes the chain's
    lock; if another append held that lock, the end it read is stale. The write sees
    that, seals the record again on the real end, and the chain stays unbroken."""
    with pg_database.session() as session:
        app_id = factories.application(session, state="submitted").id
        email = factories.user(session, Role.ADMINISTRATOR).email
    holder = pg_database.sessions()
    holder.begin()
    audit.append(holder, actor="system", trigger="conflict_of_interest",
                 application_id=app_id, reason="held open while the transition waits")
    outcome: list[object] = []

    def move() -> None:
        try:
            with pg_database.session() as session:
                outcome.append(advance(session, app_id, "begin_eligibility_check",
                                       get_user(session, email)))
        except Exception as error:  # asserted below
            outcome.append(error)

    mover = threading.Thread(target=move)
    mover.start()
    waiting = pg_database.engine.connect()
    for _ in range(200):  # until the transition waits for the chain's lock
        if waiting.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                "AND NOT granted")).scalar():
            break
        threading.Event().wait(0.05)
    waiting.close()
    holder.commit()
    holder.close()
    mover.join(timeout=60)
    assert [type(o).__name__ for o in outcome] == ["TransitionResult"]
    with pg_database.session() as session:
        records = session.scalars(select(AuditRecord).where(
            AuditRecord.application_id == app_id).order_by(AuditRecord.chain_seq)).all()
        assert [(r.trigger, r.chain_seq) for r in records] == [
            ("conflict_of_interest", 1), ("begin_eligibility_check", 2)]
        assert verify_chain(session) == (2, None)
        assert session.get(Application, app_id).state == "eligibility_check"
