"""Public notice (公示) of the proposed awardees: the period, objections, the outcome.

The notice runs ``working_days`` working days (5 by default) counted as the
calendar module counts: the publication day is not counted, so the notice
closes at the end of the last counted working day (``closes_on``). It is open
— objections (异议) are accepted — from the publication day itself through
``closes_on``.

An objection must state its grounds and carry evidence. An administrator
investigates and resolves it: *upheld* removes the candidate, *dismissed*
keeps it; either way with a written reason. The award becomes final only
after the period has closed and every objection has been dismissed; an upheld
objection removes the candidate at once, even while the notice is still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from mqa_workflow.procedure.calendar import WorkingCalendar

DEFAULT_NOTICE_WORKING_DAYS = 5


class ObjectionRefused(ValueError):
    """An objection that cannot be filed or resolved as asked."""


@dataclass(frozen=True, kw_only=True)
class Notice:
    published_on: date
    working_days: int = DEFAULT_NOTICE_WORKING_DAYS
    calendar: WorkingCalendar

    def __post_init__(self) -> None:
        if self.working_days < 1:
            raise ValueError(f"a notice runs at least 1 working day, not {self.working_days}")

    @property
    def closes_on(self) -> date:
        """The last day of the notice (objections accepted through the end of it)."""
        return self.calendar.add_working_days(self.published_on, self.working_days)

    def is_open(self, on: date) -> bool:
        return self.published_on <= on <= self.closes_on

    def has_closed(self, on: date) -> bool:
        return on > self.closes_on


class Resolution(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Objection:
    filed_on: date
    by: str  # who objects (a name, or "anonymous" if the cycle accepts that)
    grounds: str
    evidence: tuple[str, ...]  # document references, links, attachment names
    resolution: Resolution | None = None
    resolved_on: date | None = None
    resolved_by: str | None = None
    resolution_reason: str | None = None

    @property
    def resolved(self) -> bool:
        return self.resolution is not None


def file_objection(
    notice: Notice, *, filed_on: date, by: str, grounds: str, evidence: Sequence[str]
) -> Objection:
    """Accept an objection filed while the notice is open, with grounds and evidence."""
    if not notice.is_open(filed_on):
        raise ObjectionRefused(
            f"an objection filed on {filed_on} is refused: the notice published on "
            f"{notice.published_on} accepts objections from {notice.published_on} "
            f"through {notice.closes_on}"
        )
    kept = tuple(e.strip() for e in evidence if e.strip())
    if not kept:
        raise ObjectionRefused("an objection needs evidence: attach at least one document")
    if not grounds.strip():
        raise ObjectionRefused("an objection needs its grounds: say what is objected to")
    if not by.strip():
        raise ObjectionRefused("an objection needs to say who files it")
    return Objection(filed_on, by.strip(), grounds.strip(), kept)


def uphold(objection: Objection, *, reason: str, by: str, on: date) -> Objection:
    """The investigation confirms the objection: the candidate is removed."""
    return _resolve(objection, Resolution.UPHELD, reason, by, on)


def dismiss(objection: Objection, *, reason: str, by: str, on: date) -> Objection:
    """The investigation rejects the objection: the candidate stays."""
    return _resolve(objection, Resolution.DISMISSED, reason, by, on)


def _resolve(
    objection: Objection, resolution: Resolution, reason: str, by: str, on: date
) -> Objection:
    if objection.resolved:
        raise ObjectionRefused(
            f"the objection filed on {objection.filed_on} by {objection.by} was already "
            f"{objection.resolution} on {objection.resolved_on}"
        )
    if not reason.strip():
        raise ObjectionRefused(f"an objection can be {resolution} only with a written reason")
    if on < objection.filed_on:
        raise ObjectionRefused(
            f"an objection filed on {objection.filed_on} cannot be resolved on {on}, before it"
        )
    return replace(
        objection, resolution=resolution, resolved_on=on, resolved_by=by,
        resolution_reason=reason.strip(),
    )


class Status(StrEnum):
    PENDING = "pending"
    REMOVED = "removed"
    FINAL = "final"


@dataclass(frozen=True)
class NoticeOutcome:
    status: Status
    reason: str


def final_outcome(notice: Notice, objections: Sequence[Objection], today: date) -> NoticeOutcome:
    """Where a candidate stands on ``today``, given the objections against it."""
    for objection in objections:
        if not notice.is_open(objection.filed_on):
            raise ObjectionRefused(
                f"the objection filed on {objection.filed_on} falls outside the notice "
                f"({notice.published_on} to {notice.closes_on})"
            )
    # A resolution dated after ``today`` has not happened yet as far as today knows.
    upheld = sorted(
        (o for o in objections if o.resolution is Resolution.UPHELD and _resolved_by(o, today)),
        key=lambda o: (o.resolved_on, o.filed_on),
    )
    if upheld:
        first = upheld[0]
        return NoticeOutcome(
            Status.REMOVED,
            f"removed: the objection filed on {first.filed_on} by {first.by} ({first.grounds}) "
            f"was upheld on {first.resolved_on} by {first.resolved_by}: "
            f"{first.resolution_reason}",
        )
    return _pending_or_final(notice, objections, today)


def _pending_or_final(
    notice: Notice, objections: Sequence[Objection], today: date
) -> NoticeOutcome:
    if today < notice.published_on:
        return NoticeOutcome(Status.PENDING, f"the notice is published on {notice.published_on}")
    if not notice.has_closed(today):
        left = notice.calendar.working_days_between(today, notice.closes_on)
        return NoticeOutcome(
            Status.PENDING,
            f"the notice is open until the end of {notice.closes_on} "
            f"({left} working day(s) after today)",
        )
    open_ones = [o for o in objections if not _resolved_by(o, today)]
    if open_ones:
        listed = "; ".join(f"filed on {o.filed_on} by {o.by}" for o in open_ones)
        return NoticeOutcome(
            Status.PENDING, f"the notice has closed; awaiting resolution: {listed}"
        )
    dismissed = len(objections)
    tail = f"; {dismissed} objection(s) dismissed" if dismissed else "; no objection was filed"
    return NoticeOutcome(Status.FINAL, f"the notice closed on {notice.closes_on}{tail}")


def _resolved_by(objection: Objection, today: date) -> bool:
    return objection.resolved_on is not None and objection.resolved_on <= today
