"""Bulk advance: move every ready application of a cycle and class, or say why not."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import select

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.db import Database
from mqa_workflow.errors import DomainError, TransitionRefusedError
from mqa_workflow.states.engine import advance, unmet_conditions
from mqa_workflow.states.table import BY_TRIGGER


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
    application_ids: Collection[int] | None = None,
) -> BulkReport:
    """Each application moves in its own transaction: one refusal never undoes the others.

    With ``application_ids`` (the cases an administrator ticked) exactly those of the
    cycle are tried, whatever their state: one the trigger does not leave from is
    refused with that reason rather than silently left out of the report."""
    spec = BY_TRIGGER.get(trigger)
    if spec is None:
        raise TransitionRefusedError(f"unknown trigger {trigger!r}; the triggers are: "
                                     f"{', '.join(BY_TRIGGER)}")
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
    for done, application_id in enumerate(ids, start=1):
        _one(database, report, application_id, actor_ref, reason)
        if progress:
            progress(done, len(ids))
    return report


def _one(database: Database, report: BulkReport, application_id: int, actor_ref: str,
         reason: str) -> None:
    try:
        with database.session() as session:
            actor = get_user(session, actor_ref)
            if report.dry_run:
                application = session.get(Application, application_id)
                assert application is not None
                problems = unmet_conditions(session, application, BY_TRIGGER[report.trigger],
                                            actor, reason)
                if problems:
                    report.refused[application_id] = problems
                else:
                    report.moved.append(application_id)
                return
            advance(session, application_id, report.trigger, actor, reason=reason,
                    data={"bulk": True})
        report.moved.append(application_id)
    except DomainError as error:
        report.refused[application_id] = error.problems or [error.message]
