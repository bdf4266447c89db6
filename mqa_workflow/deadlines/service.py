"""The deadline scan: reminders before a deadline, an overdue notice, an escalation.

For each open piece of work (:mod:`mqa_workflow.deadlines.open_work`) the scan works
out which notices are due at ``at``:

* a reminder at each of the cycle's ``reminder_offsets_days`` before the
  deadline (default 3 and 1); when the scan first sees the work late, only the
  nearest offset is sent, not a burst of stale ones;
* an overdue notice to the person once the deadline has passed;
* an escalation to the administrators after the grace period.

Each notice has a key (``reminder:review:42:3d@202609301559``) inserted with its
notifications in one transaction, so it goes out once, however often the scan
runs, whichever worker runs it, and with two beats running at once. The key
holds the deadline: an extended deadline earns fresh reminders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.clock import now
from mqa_workflow.deadlines.assignments import notify_new_assignments
from mqa_workflow.deadlines.links import absolute, escalation_path, work_path
from mqa_workflow.deadlines.open_work import Work, open_work
from mqa_workflow.notifications.models import SentNotice
from mqa_workflow.notifications.service import application_context, notify_once, sent_keys

DAY = timedelta(days=1)
DEFAULT_GRACE_DAYS = 2


@dataclass(frozen=True)
class Notice:
    key: str
    event: str  # reminder | overdue | escalation
    work: Work
    offset_days: int = 0


def grace_days(work: Work) -> int:
    """Days after the deadline before the administrators hear of it (the cycle's rule)."""
    return int(getattr(work.application.cycle.rules, "escalation_grace_days",
                       DEFAULT_GRACE_DAYS))


def notice_key(event: str, work: Work, offset_days: int | None = None) -> str:
    """``reminder:review:42:3d@202609301559``: the event, the work, the deadline it is for."""
    offset = f":{offset_days}d" if offset_days is not None else ""
    return f"{event}:{work.ref}{offset}@{work.due_at:%Y%m%d%H%M}"


def notices_due(work: Work, at: datetime) -> list[Notice]:
    if at >= work.due_at:
        notices = [Notice(notice_key("overdue", work), "overdue", work)]
        if at >= work.due_at + grace_days(work) * DAY:
            notices.append(Notice(notice_key("escalation", work), "escalation", work))
        return notices
    offsets = sorted(work.application.cycle.rules.reminder_offsets_days)
    passed = [days for days in offsets if at >= work.due_at - days * DAY]
    if not passed:
        return []
    nearest = passed[0]
    return [Notice(notice_key("reminder", work, nearest), "reminder", work, nearest)]


@dataclass
class ScanResult:
    sent: dict[str, int] = field(default_factory=dict)  # event -> notices sent now
    already_sent: int = 0
    nobody_to_tell: int = 0

    def count(self, event: str) -> None:
        self.sent[event] = self.sent.get(event, 0) + 1


def scan(session: Session, at: datetime | None = None) -> ScanResult:
    """Send every notice due at ``at`` (default now) that was not sent before."""
    at = at or now()
    result = ScanResult()
    sent = notify_new_assignments(session)
    if sent:
        result.sent["assignment"] = sent
    administrators = [user for user in session.scalars(select(User).order_by(User.id))
                      if user.has_role(Role.ADMINISTRATOR)]
    # Sorted keys: two concurrent scans take the key rows in the same order (no deadlock).
    notices = sorted((notice for work in open_work(session) for notice in notices_due(work, at)),
                     key=lambda notice: notice.key)
    done = sent_keys(session, [notice.key for notice in notices])
    for notice in notices:
        if notice.key in done:
            result.already_sent += 1
            continue
        recipients = administrators if notice.event == "escalation" else notice.work.responsible
        if not recipients:
            result.nobody_to_tell += 1  # tried again next scan, once someone can be told
        elif _send(session, notice, list(recipients), at):
            result.count(notice.event)
        else:
            result.already_sent += 1
    return result


def _send(session: Session, notice: Notice, recipients: list[User], at: datetime) -> bool:
    work = notice.work
    context = application_context(work.application) | _event_context(notice, at)
    return notify_once(session, notice.key, notice.event, recipients, context,
                       work.application.id, work.due_at)


def _event_context(notice: Notice, at: datetime) -> dict[str, Any]:
    work = notice.work
    # The page where the work is done (for an escalation: the administrators' case page),
    # so the notice is one click from it.
    page = escalation_path(work) if notice.event == "escalation" else work_path(work)
    context: dict[str, Any] = {"work": work.kind, "due_at": work.due_at,
                               "work_url": absolute(page)}
    if notice.event == "reminder":
        context["days_left"] = max(1, math.ceil((work.due_at - at) / DAY))
    elif notice.event == "overdue":
        context["escalate_at"] = work.due_at + grace_days(work) * DAY
    else:
        context["days_overdue"] = (at - work.due_at) // DAY
        context["responsible"] = [user.name for user in work.responsible]
    return context


@dataclass(frozen=True)
class DeadlineRow:
    work: Work
    overdue: bool
    notices: list[str]  # the events already sent for this deadline, oldest first


def list_deadlines(session: Session, at: datetime | None = None, overdue_only: bool = False,
                   cycle_id: int | None = None) -> list[DeadlineRow]:
    at = at or now()
    rows = []
    for work in open_work(session, cycle_id):
        if overdue_only and at < work.due_at:
            continue
        rows.append(DeadlineRow(work, at >= work.due_at, _notices_sent(session, work)))
    return rows


def _notices_sent(session: Session, work: Work) -> list[str]:
    offsets = work.application.cycle.rules.reminder_offsets_days
    labels = {notice_key("reminder", work, days): f"reminder {days}d" for days in offsets}
    labels |= {notice_key(event, work): event for event in ("overdue", "escalation")}
    sent = session.scalars(select(SentNotice.key).where(SentNotice.key.in_(list(labels)))
                           .order_by(SentNotice.sent_at, SentNotice.key))
    return [labels[key] for key in sent]
