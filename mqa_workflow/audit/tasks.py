"""The audit domain's background tasks: one-liners over its services."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mqa_workflow.audit.checkpoints import TASK, take
from mqa_workflow.outbox.registry import task


@task(TASK)
def checkpoint(session: Session, reason: str = "", **_: object) -> None:
    """Background work after a decision or a public notice has committed."""
    take(session, reason, only_if_changed=True)
