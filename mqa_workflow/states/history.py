"""An application's history as a person may see it.

Which records are state changes and which reasons are written for the applicant is the
transition table's knowledge, so this view lives in the workflow layer.
"""

from __future__ import annotations

from collections.abc import Sequence

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.states.table import BY_TRIGGER, reason_for_applicant


def history_for(user: User, records: Sequence[AuditRecord]) -> list[dict[str, object]]:
    """The history as ``user`` may see it: the office sees every record, who and what;
    an applicant sees only the state changes, never who acted or the data behind them."""
    if user.has_role(Role.ADMINISTRATOR):
        return [_record(r, actor=r.actor, data=r.data, reason=r.reason) for r in records]
    return [_record(r, actor="", data={},
                    reason=r.reason if reason_for_applicant(r.trigger) else "")
            for r in records if r.to_state is not None and r.trigger in BY_TRIGGER]


def _record(record: AuditRecord, *, actor: str, data: dict[str, object], reason: str
            ) -> dict[str, object]:
    return {"seq": record.seq, "at": record.at, "actor": actor, "trigger": record.trigger,
            "from_state": record.from_state, "to_state": record.to_state,
            "reason": reason, "data": data}
