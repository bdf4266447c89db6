"""Bulk advance: move every ready application of a cycle and class, or say why not.

Applications move in batches, one transaction (one durable commit) per batch, each
through the engine's own path. A refusal never undoes the others: on the lean path a
refused or conflicting transition writes nothing, and a transition whose effects change
rows runs in a savepoint of its own that its refusal rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.errors import DomainError, TransitionRefusedError
from mqa_workflow.states.engine import advance, is_lean, unmet_conditions
from mqa_workflow.states.table import BY_TRIGGER, TransitionSpec
from mqa_workflow.translations.message import Listed, Word, refusal

# Applications per transaction: one commit's wait shared by this many moves, while the
# audit-chain locks the batch holds (one per application) stay few and short-lived.
BATCH = 50


@dataclass
class BulkReport:
    trigger: str
    dry_run: bool
    moved: list[int] = field(default_factory=list)
    refused: dict[int, list[str]] = field(default_factory=dict)


def advance_all(
    database: Database,
    *,
    cycle_id: int,
    award_class: str | None,
    trigger: str,
    actor_ref: str,
    reason: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
    application_ids: Collection[int] | None = None,
) -> BulkReport:
    """Move each ready application; one refusal never undoes the others.

    With ``application_ids`` (the cases an administrator ticked) exactly those of the
    cycle are tried, whatever their state: one the trigger does not leave from is
    refused with that reason rather than silently left out of the report."""
    spec = BY_TRIGGER.get(trigger)
    if spec is None:
        raise TransitionRefusedError(refusal(
            "unknown trigger '%(trigger)s'; the triggers are: %(triggers)s", trigger=trigger,
            triggers=Listed(Word("trigger", known) for known in BY_TRIGGER)))
    with database.session() as session:
        query = select(Application.id).where(Application.cycle_id == cycle_id
                                             ).order_by(Application.id)
        if application_ids is None:
            query = query.where(Application.state.in_([s.value for s in spec.sources]))
        else:
            query = query.where(Application.id.in_(list(application_ids)))
        if award_class:
            query = query.where(Application.award_class == award_class)
        ids = list(session.scalars(query))
    report = BulkReport(trigger, dry_run)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        with database.session() as session:
            try:
                actor = get_user(session, actor_ref)
            except DomainError as error:  # no such actor: nothing of the batch can move
                report.refused |= dict.fromkeys(chunk, error.problems or [error.message])
                continue
            moved = [application_id for application_id in chunk
                     if _one(session, report, spec, application_id, actor, reason)]
        report.moved += moved  # counted once their batch has committed
        if progress:
            for done in range(start + 1, start + len(chunk) + 1):
                progress(done, len(ids))
    return report


def _one(session: Session, report: BulkReport, spec: TransitionSpec, application_id: int,
         actor: User, reason: str) -> bool:
    """Whether the application moved (or, in a dry run, would)."""
    try:
        if report.dry_run:
            application = session.get(Application, application_id)
            assert application is not None
            problems = unmet_conditions(session, application, spec, actor, reason)
            if problems:
                report.refused[application_id] = problems
            return not problems
        if is_lean(spec):
            advance(session, application_id, spec.trigger, actor, reason=reason,
                    data={"bulk": True})
        else:
            with session.begin_nested():
                advance(session, application_id, spec.trigger, actor, reason=reason,
                        data={"bulk": True})
        return True
    except DomainError as error:
        report.refused[application_id] = error.problems or [error.message]
        return False
