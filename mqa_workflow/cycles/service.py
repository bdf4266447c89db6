"""Creating and finding award cycles."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.clock import OFFICE_TZ
from mqa_workflow.cycles.models import STAGE_LABELS, STAGES, AwardCycle, CycleRules
from mqa_workflow.db import get_by_id_or
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.standards.models import CLASS_IDS


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a cycle's set-up: the field it belongs to ("year",
    "deadlines.site_visit", "rules.award_quotas.economic.grand" …), the sentence the
    command line prints, and the same in Chinese for the set-up form."""

    field: str
    text: str
    zh: str = ""


def cycle_problems(
    year: int,
    classes: Sequence[str],
    deadlines: Mapping[str, date],
    rules: Mapping[str, Any],
) -> tuple[CycleRules | None, list[Problem]]:
    """Every problem of a cycle's set-up, each named by its field: the one check the
    loader (``mqa cycle create --rules``) and the set-up form both run. Returns the rules
    as validated when they are good."""
    checked, problems = rules_problems(rules)
    return checked, _cycle_problems(year, classes, deadlines) + problems


# Pydantic's error types as the office reads them (the rest keep pydantic's words).
_ZH = {
    "greater_than_equal": "不得小于 {ge}", "greater_than": "须大于 {gt}",
    "less_than_equal": "不得大于 {le}", "less_than": "须小于 {lt}",
    "int_parsing": "请填写整数", "int_from_float": "请填写整数", "float_parsing": "请填写数字",
    "bool_parsing": "请填写是或否", "literal_error": "只能是 {expected}",
    "extra_forbidden": "不是可设置的规则", "dict_type": "格式应为键值表",
    "list_type": "格式应为列表", "missing": "必填",
}


def rules_problems(rules: Mapping[str, Any]) -> tuple[CycleRules | None, list[Problem]]:
    """The rules checked field by field (each problem under its own field), then across
    fields (weights that must add up, classes the quotas name) with the bad fields left
    at their defaults, so every problem shows at once; ``CycleRules`` is the one source
    of both."""
    problems: list[Problem] = []
    data = dict(rules)
    try:
        fields_checked = CycleRules.model_validate(data, context={"fields_only": True})
    except ValidationError as error:
        problems = [
            Problem(field=".".join(["rules", *(str(p) for p in e["loc"])]),
                    text=f"rules: {'.'.join(str(p) for p in e['loc']) or '(rules)'}: "
                         f"{e['msg']}",
                    zh=_ZH.get(e["type"], e["msg"]).format(**e.get("ctx", {})))
            for e in error.errors()
        ]
        for e in error.errors():
            data.pop(str(e["loc"][0]) if e["loc"] else "", None)
        try:
            fields_checked = CycleRules.model_validate(data, context={"fields_only": True})
        except ValidationError:
            return None, problems
    problems += [Problem(f"rules.{name}", f"rules: {name}: {english}", zh)
                 for name, english, zh in fields_checked.cross_field_problems()]
    return (None if problems else fields_checked), problems


def create_cycle(
    session: Session,
    *,
    year: int,
    classes: Sequence[str] = CLASS_IDS,
    deadlines: Mapping[str, date] | None = None,
    rules: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> AwardCycle:
    checked_rules, problems = cycle_problems(year, classes, deadlines or {}, rules or {})
    if problems or checked_rules is None:
        raise InvalidInputError("cannot create the cycle", [p.text for p in problems])
    name = (name or "").strip() or f"{year}年度深圳市市长质量奖"
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


def update_cycle(
    session: Session,
    cycle: AwardCycle,
    *,
    deadlines: Mapping[str, date],
    rules: Mapping[str, Any],
    name: str | None = None,
) -> dict[str, Any]:
    """Replace a cycle's stage deadlines and rules (its year and classes stay), checked as
    a new cycle is; returns what changed, {"deadlines": [...], "rules": [...], "name": …}.
    Open review assignments follow a moved deadline through
    ``reviews.assignment_service.edit_cycle``, the call to use."""
    checked_rules, problems = cycle_problems(cycle.year, cycle.classes, deadlines, rules)
    new_name = (name or "").strip() or cycle.name
    if new_name != cycle.name and session.scalar(
            select(AwardCycle.id).where(AwardCycle.name == new_name)):
        problems.append(Problem("name", f"name: a cycle named {new_name!r} already exists",
                                "已有同名的评审周期"))
    if problems or checked_rules is None:
        raise InvalidInputError(f"cannot change the cycle {cycle.name}",
                                [p.text for p in problems])
    new_deadlines = {stage: day.isoformat() for stage, day in deadlines.items()}
    new_rules = checked_rules.model_dump(mode="json")
    changed = {
        "deadlines": sorted(s for s in set(new_deadlines) | set(cycle.deadlines)
                            if new_deadlines.get(s) != cycle.deadlines.get(s)),
        "rules": sorted(r for r in new_rules if new_rules[r] != cycle.rules_data.get(r)),
        "name": new_name if new_name != cycle.name else None,
    }
    cycle.name, cycle.deadlines, cycle.rules_data = new_name, new_deadlines, new_rules
    session.flush()
    return changed


def _cycle_problems(
    year: int, classes: Sequence[str], deadlines: Mapping[str, date]
) -> list[Problem]:
    problems = []
    if not 2000 <= year <= 2100:
        problems.append(Problem("year", f"year {year} is not a plausible award year",
                                f"{year} 不是合理的年度（2000–2100）"))
    unknown = [c for c in classes if c not in CLASS_IDS]
    if unknown or not classes:
        problems.append(Problem(
            "classes",
            f"classes: {', '.join(unknown) or '(none)'} — choose from {', '.join(CLASS_IDS)}",
            "请至少选择一个奖项类别" if not unknown else f"未知的奖项类别：{', '.join(unknown)}"))
    problems += [
        Problem(f"deadlines.{stage}",
                f"deadlines: unknown stage {stage!r}; the stages are {', '.join(STAGES)}",
                f"未知的阶段 {stage}")
        for stage in deadlines if stage not in STAGES
    ]
    dated = [(s, deadlines[s]) for s in STAGES if s in deadlines]
    problems += [
        Problem(f"deadlines.{later}",
                f"deadlines: {later} ({later_day}) comes before {earlier} ({earlier_day})",
                f"早于前一阶段（{STAGE_LABELS[earlier]}，{earlier_day}）的截止日期")
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
        raise InvalidInputError(f"cannot move the {stage} deadline",
                                [p.text for p in problems])
    cycle.deadlines = {s: d.isoformat() for s, d in deadlines.items()}  # a new dict: tracked
    session.flush()


def stage_due_at(cycle: AwardCycle, stage: str) -> datetime | None:
    """End of the stage's deadline day in Shenzhen, as an aware UTC moment."""
    day = cycle.deadline(stage)
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), OFFICE_TZ).astimezone(UTC)
