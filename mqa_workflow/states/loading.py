"""The engine's one loading query for a transition.

One round trip reads the application's columns, its cycle's stored rules (parsed once
per distinct text, ``guards.rules_from_text``) and deadlines, the actor when only an id
was given, the answers to the guards' own questions (``guards.SQL_FACTS``) and, for the
lean path, the audit chain's end; on PostgreSQL the same statement takes the
application's audit-chain lock, so every transition takes that lock before the row's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, bindparam, cast, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import NotFoundError
from mqa_workflow.states.guards import READS_PROFILE, SQL_FACTS, ApplicationFacts, rules_from_text
from mqa_workflow.states.table import TransitionSpec

APPLICATIONS = Application.__table__
CYCLES = AwardCycle.__table__
_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}


@dataclass(frozen=True)
class Loaded:
    facts: ApplicationFacts
    actor: User
    end: audit.ChainEnd | None  # read for the lean path only


def load(session: Session, application_id: int, spec: TransitionSpec | None,
         actor: User | int, *, lean: bool) -> Loaded:
    postgresql = session.get_bind().dialect.name == "postgresql"
    by_id = not isinstance(actor, User)
    key = (spec, by_id, postgresql, lean)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = _statement(spec, by_id, postgresql, lean)
    params = {"application_id": application_id}
    if by_id:
        params["actor_id"] = int(actor)
    row = session.execute(statement, params).first()
    if row is None:
        if by_id and session.get(User, int(actor)) is None:
            raise NotFoundError(f"no user {actor}")
        raise NotFoundError(f"no application {application_id}")
    facts = ApplicationFacts(
        row.id, row.cycle_id, row.award_class, row.organization_id, row.state, row.version,
        row.correction_due_at, rules_from_text(row.rules_text), row.deadlines,
        row.profile if spec is not None and READS_PROFILE & set(spec.guards) else None,
        {name: row._mapping[f"fact_{name}"] for name in _facts_of(spec)},
    )
    return Loaded(facts, row[0] if by_id else actor,
                  audit.chain_end_of(row) if lean and spec is not None else None)


def _facts_of(spec: TransitionSpec | None) -> list[str]:
    return [name for name in spec.guards if name in SQL_FACTS] if spec else []


def _statement(spec: TransitionSpec | None, by_id: bool, postgresql: bool,
               lean: bool) -> Select[Any]:
    a = APPLICATIONS.c
    columns: list[Any] = [a.id, a.cycle_id, a.award_class, a.organization_id, a.state,
                          a.version, a.correction_due_at,
                          cast(CYCLES.c.rules_data, Text).label("rules_text"),
                          CYCLES.c.deadlines]
    if spec is not None:
        if READS_PROFILE & set(spec.guards):
            columns.append(a.profile)
        columns += [SQL_FACTS[name](APPLICATIONS).label(f"fact_{name}")
                    for name in _facts_of(spec)]
        if postgresql:
            columns.append(audit.chain_lock(a.id).label("chain_locked"))
        if lean:
            columns += audit.chain_end_columns(bindparam("application_id"), postgresql)
    joined = APPLICATIONS.join(CYCLES, CYCLES.c.id == a.cycle_id)
    if by_id:
        joined = joined.join(User, User.id == bindparam("actor_id"))
        columns.insert(0, User)
    return select(*columns).select_from(joined).where(a.id == bindparam("application_id"))
