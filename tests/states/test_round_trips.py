"""How many times one transition talks to PostgreSQL: a count, not a time.

The lean path (effects that only queue work) loads the actor, the application, its
cycle's rules, the guards' answers and the audit chain's end in one query and writes
the move, the signed audit record and the outbox rows in a second; then the commit.
The count catches a change that quietly adds round trips back (a lazy load in a guard,
an ORM flush, a lookup per append); the benchmark (bench/durable_transitions.py) turns
round trips into transitions per second.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.outbox.service import queued_in
from mqa_workflow.states.engine import advance
from tests import factories

pytestmark = pytest.mark.postgres

# The loading query and the write, per transition (the commit is counted apart).
STATEMENTS_PER_TRANSITION = 2


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    """Every statement sent to the server while inside, COMMIT included."""
    seen: list[str] = []

    def sent(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(" ".join(statement.split())[:80])

    def committed(_conn: object) -> None:
        seen.append("COMMIT")

    event.listen(database.engine, "before_cursor_execute", sent)
    event.listen(database.engine, "commit", committed)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", sent)
        event.remove(database.engine, "commit", committed)


@pytest.mark.parametrize(("trigger", "source", "role"), [
    ("submit", None, Role.APPLICANT_CONTACT),  # guards: every item answered, the deadline
    ("begin_eligibility_check", "submitted", Role.ADMINISTRATOR),
])
def test_a_plain_transition_is_one_query_one_write_and_the_commit(
    pg_database: Database, trigger: str, source: str | None, role: Role,
) -> None:
    with pg_database.session() as session:
        cycle = factories.cycle(session)
        organization = factories.organization(session)
        warm = factories.application(session, state=source, award_cycle=cycle)
        measured = factories.application(session, state=source, award_cycle=cycle,
                                         org=organization)
        actor_id = factories.user(session, role, organization=organization).id
        admin_id = factories.user(session, Role.ADMINISTRATOR).id
        ids = warm.id, measured.id
    with pg_database.session() as session:  # the audit key and the trail's first record
        advance(session, ids[0], trigger, admin_id)
    with _statements(pg_database) as seen, pg_database.session() as session:
        step = advance(session, ids[1], trigger, actor_id)
    assert len(seen) <= STATEMENTS_PER_TRANSITION + 1, seen
    assert seen[-1] == "COMMIT"
    with pg_database.session() as session:  # and it did everything the long way did
        assert session.get(Application, ids[1]).state == step.to_state
        assert verify_chain(session) == (2, None)
        keys = session.scalars(select(OutboxMessage.idempotency_key)
                               .order_by(OutboxMessage.id)).all()
        assert keys[-1] == f"notifications.state_changed:{step.audit_seq}"


def test_the_one_statement_write_still_tells_the_server_to_wake_its_drainer(
    pg_database: Database,
) -> None:
    """The outbox rows of the one-statement write are SQL no listener sees; the session
    says it queued work so a web request wakes the drainer at once (not at its poll)."""
    with pg_database.session() as session:
        cycle = factories.cycle(session)
        application_id = factories.application(session, state="submitted",
                                               award_cycle=cycle).id
        admin_id = factories.user(session, Role.ADMINISTRATOR).id
    with pg_database.session() as session:
        assert not queued_in(session)
        advance(session, application_id, "begin_eligibility_check", admin_id)
        assert queued_in(session)
