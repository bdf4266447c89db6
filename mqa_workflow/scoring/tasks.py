"""The scoring domain's background tasks: one-liners over its services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mqa_workflow.outbox.registry import task
from mqa_workflow.scoring.consolidation import consolidate


@task("scoring.consolidate")
def consolidate_score(session: Session, application_id: int, **_: object) -> None:
    consolidate(session, application_id)
