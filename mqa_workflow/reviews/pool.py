"""The reviewer pool: who may review which classes and industries, and how much."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.errors import InvalidInputError
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
