"""Creating and finding award cycles."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.clock import OFFICE_TZ
from mqa_workflow.cycles.models import STAGES, AwardCycle, CycleRules
from mqa_workflow.db import get_by_id_or
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.standards.models import CLASS_IDS


def create_cycle(
    session: Session,
    *,
    year: int,
    classes: Sequence[str] = CLASS_IDS,
    deadlines: Mapping[str, date] | None = None,
    rules: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> AwardCycle:
    problems = _cycle_problems(year, classes, deadlines or {})
    try:
        checked_rules = CycleRules.model_validate(rules or {})
    except ValidationError as error:
        problems += [
            f"rules: {'.'.join(str(p) for p in e['loc']) or '(rules)'}: {e['msg']}"
            for e in error.errors()
        ]
    if problems:
        raise InvalidInputError("cannot create the cycle", problems)
    name = name or f"{year}年度深圳市市长质量奖"
    if session.scalar(select(AwardCycle).where(AwardCycle.name == name)):
        raise ConflictError(f"a cycle named {name!r} already exists")
    cycle = AwardCycle(
        year=year,
        name=name,
        classes=[c for c in CLASS_IDS if c in classes],
        deadlines={stage: day.isoformat() for stage, day in (deadlines or {}).items()},
        rules_data=checked_rules.model_dump(mode="json"),
    )
    session.add(cycle)
    session.flush()
    return cycle


def _cycle_problems(
    year: int, classes: Sequence[str], deadlines: Mapping[str, date]
) -> list[str]:
    problems = []
    if not 2000 <= year <= 2100:
        problems.append(f"year {year} is not a plausible award year")
    unknown = [c for c in classes if c not in CLASS_IDS]
    if unknown or not classes:
        problems.append(
            f"classes: {', '.join(unknown) or '(none)'} — choose from {', '.join(CLASS_IDS)}"
        )
    problems += [
        f"deadlines: unknown stage {stage!r}; the stages are {', '.join(STAGES)}"
        for stage in deadlines if stage not in STAGES
    ]
    dated = [(s, deadlines[s]) for s in STAGES if s in deadlines]
    problems += [
        f"deadlines: {later} ({later_day}) comes before {earlier} ({earlier_day})"
        for (earlier, earlier_day), (later, later_day) in itertools.pairwise(dated)
        if later_day < earlier_day
    ]
    return problems


def get_cycle(session: Session, ref: str | int) -> AwardCycle:
    """A cycle by id, or by name."""
    return get_by_id_or(session, AwardCycle, AwardCycle.name, ref,
                        missing="no award cycle {ref}")


def set_cycle_deadline(session: Session, cycle: AwardCycle, stage: str, day: date) -> None:
    """Move one stage's deadline of the cycle, refused when the stages would fall out of
    order. Open review assignments follow through ``reviews.assignment_service
    .set_deadline``, the call to use for a cycle already in review."""
    deadlines = {s: date.fromisoformat(d) for s, d in cycle.deadlines.items()} | {stage: day}
    problems = _cycle_problems(cycle.year, cycle.classes, deadlines)
    if problems:
        raise InvalidInputError(f"cannot move the {stage} deadline", problems)
    cycle.deadlines = {s: d.isoformat() for s, d in deadlines.items()}  # a new dict: tracked
    session.flush()


def stage_due_at(cycle: AwardCycle, stage: str) -> datetime | None:
    """End of the stage's deadline day in Shenzhen, as an aware UTC moment."""
    day = cycle.deadline(stage)
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), OFFICE_TZ).astimezone(UTC)
