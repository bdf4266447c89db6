"""The reviewer pool: who may review which classes and industries, and how much."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user, get_user
from mqa_workflow.errors import ConflictError, InvalidInputError, NotFoundError
from mqa_workflow.reviews.models import PoolReviewer
from mqa_workflow.reviews.profiles import ProfileData, get_profile, set_conflict_profile
from mqa_workflow.standards.models import CLASS_IDS


def add_pool_reviewer(
    session: Session,
    user: User,
    *,
    classes: Sequence[str],
    industries: Sequence[str],
    capacity: int,
    may_lead: bool,
    employer_uscc: str | None = None,
    industry: str | None = None,
    district: str | None = None,
    employments: Sequence[Mapping[str, Any]] | None = None,
    relationships: Sequence[Mapping[str, Any]] | None = None,
    actor: str = "system",
) -> PoolReviewer:
    """Put a person in the pool (or update their entry). Conflict data given here updates
    their conflict profile (what is not given stays as it was), checked at once."""
    problems = _pool_problems(classes, capacity)
    if problems:
        raise InvalidInputError(f"cannot put {user.name} in the reviewer pool", problems)
    entry = session.get(PoolReviewer, user.id) or PoolReviewer(user_id=user.id)
    entry.classes, entry.industries = list(classes), list(industries)
    entry.capacity, entry.may_lead = capacity, may_lead
    session.add(entry)
    session.flush()
    given = {"employer_uscc": employer_uscc, "industry": industry, "district": district,
             "employments": None if employments is None else [dict(e) for e in employments],
             "relationships": None if relationships is None else [dict(r) for r in relationships]}
    changes = {name: value for name, value in given.items() if value is not None}
    if changes:
        data = get_profile(session, user).as_dict() | changes
        set_conflict_profile(session, user, ProfileData(**data), actor=actor)
    return entry


def _pool_problems(classes: Sequence[str], capacity: int) -> list[str]:
    problems = [f"classes: unknown class {c!r}" for c in classes if c not in CLASS_IDS]
    if not classes:
        problems.append("classes: a reviewer must be qualified for at least one class")
    if capacity < 1:
        problems.append(f"capacity: {capacity} — a reviewer must take at least one review")
    return problems


# --- bulk import ------------------------------------------------------------------------

# One row per reviewer; a person not yet known is added with the reviewer role. Lists are
# separated by ";" or "、". Employments and relationships: the conflict-profile import.
IMPORT_COLUMNS = ("email", "name", "classes", "industries", "capacity", "may_lead",
                  "employer_uscc", "industry", "district")
TEMPLATE_ROWS = (
    ("li@pool.cn", "李专家", "economic;service", "电子信息;先进制造", "8", "是",
     "91440300708461136T", "电子信息", "南山区"),
)
_YES, _NO = {"是", "y", "yes", "1", "true"}, {"否", "n", "no", "0", "false", ""}


def split_items(value: str) -> list[str]:
    return [part.strip() for part in value.replace("、", ";").replace(",", ";").split(";")
            if part.strip()]


def import_reviewers(session: Session, rows: Sequence[Mapping[str, str]], *,
                     actor: str) -> list[PoolReviewer]:
    """Put every reviewer of ``rows`` in the pool (``mqa reviewer add`` for each); every
    bad row is reported with its number (the header is row 1) and nothing is kept
    unless all are good (the caller's transaction is rolled back)."""
    outer = session.begin_nested()  # a refusal leaves nothing, whatever the caller does
    problems: list[str] = []
    entries: list[PoolReviewer] = []
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        wrong = []
        capacity_text = row.get("capacity", "").strip() or "8"
        if not capacity_text.isdigit():
            wrong.append(f"capacity {capacity_text!r}: 请填写整数 (a whole number of reviews)")
        lead = row.get("may_lead", "").strip().lower()
        if lead not in _YES | _NO:
            wrong.append(f"may_lead {lead!r}: 请填写“是”或“否” (yes or no)")
        if wrong:
            problems += [f"row {number}: {p}" for p in wrong]
            continue
        try:
            with session.begin_nested():
                person = _reviewer(session, row)
                entries.append(add_pool_reviewer(
                    session, person, classes=split_items(row.get("classes", "")),
                    industries=split_items(row.get("industries", "")),
                    capacity=int(capacity_text), may_lead=lead in _YES,
                    employer_uscc=row.get("employer_uscc") or None,
                    industry=row.get("industry") or None,
                    district=row.get("district") or None, actor=actor))
        except (InvalidInputError, ConflictError) as refused:
            problems += [f"row {number}: {p}" for p in refused.problems or [refused.message]]
    if problems:
        outer.rollback()
        raise InvalidInputError("nothing was imported; fix these rows", problems)
    if not entries:
        outer.rollback()
        raise InvalidInputError("nothing to import: the file has no rows")
    outer.commit()
    return entries


def _reviewer(session: Session, row: Mapping[str, str]) -> User:
    email = row.get("email", "").strip()
    try:
        person = get_user(session, email)
    except NotFoundError:
        return add_user(session, name=row.get("name", ""), email=email,
                        roles=[Role.REVIEWER])
    if not person.has_role(Role.REVIEWER):
        person.roles = sorted({*person.roles, Role.REVIEWER.value})
    return person
