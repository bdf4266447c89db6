"""Test data: people, cycles, applicants and applications in any state."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import add_organization
from mqa_workflow.applicants.uscc import make_uscc
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.service import create_application, write_answers
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.reviews.models import (
    ConflictProfile,
    PoolReviewer,
    ReviewAssignment,
    ReviewStage,
)
from mqa_workflow.standards.loader import load_standard

_serial = itertools.count(1)


def user(session: Session, *roles: Role, organization: Organization | None = None) -> User:
    n = next(_serial)
    return add_user(session, name=f"用户{n}", email=f"user{n}@example.cn",
                    roles=roles or (Role.ADMINISTRATOR,),
                    organization_id=organization.id if organization else None)


def cycle(session: Session, rules: dict[str, Any] | None = None,
          deadlines: dict[str, date] | None = None) -> AwardCycle:
    return create_cycle(session, year=2026, name=f"2026年度 #{next(_serial)}",
                        rules=rules, deadlines=deadlines)


def organization(session: Session, **fields: Any) -> Organization:
    n = next(_serial)
    defaults = {"name": f"深圳测试企业{n}有限公司", "uscc": make_uscc(f"914403000000{n:05d}"),
                "industry": "电子信息", "district": "南山区"}
    return add_organization(session, **(defaults | fields))


def application(session: Session, *, award_class: str = "economic", complete: bool = True,
                state: str | None = None, award_cycle: AwardCycle | None = None,
                org: Organization | None = None) -> Application:
    """An application, with every item answered when ``complete``, placed in ``state``."""
    app = create_application(
        session, cycle=award_cycle or cycle(session), award_class=award_class,
        organization=org or organization(session),
        project_name=None if award_class == "economic" else f"项目{next(_serial)}",
    )
    if complete:
        standard = load_standard(award_class)
        write_answers(session, app, profile="组织概况：……",
                      answers={item.code: f"{item.name}的做法与成效……"
                               for item in standard.scored_items()})
    if state:
        app.state = state  # test set-up only: real moves go through the engine
        session.flush()
    return app


def pool(session: Session, count: int, *, classes: tuple[str, ...] = ("economic",),
         employments: dict[int, list[dict[str, str]]] | None = None,
         profiles: bool = True) -> list[User]:
    """``count`` reviewers in the pool (电子信息, capacity 5; the first two may lead), each
    with a conflict profile (the n-th with ``employments[n]``) unless not ``profiles``."""
    reviewers = []
    for n in range(count):
        reviewer = user(session, Role.REVIEWER)
        session.add(PoolReviewer(user_id=reviewer.id, classes=list(classes),
                                 industries=["电子信息"], capacity=5, may_lead=n < 2))
        if profiles:
            session.add(ConflictProfile(user_id=reviewer.id,
                                        employments=(employments or {}).get(n, [])))
        reviewers.append(reviewer)
    session.flush()
    return reviewers


def team(session: Session, application_id: int,
         stage: ReviewStage = ReviewStage.DOCUMENT_REVIEW) -> list[ReviewAssignment]:
    """The application's active team of ``stage`` (assigned or submitted)."""
    return list(session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.application_id == application_id,
        ReviewAssignment.stage == stage.value,
        ReviewAssignment.status.in_(["assigned", "submitted"]))))


def everything(percentage: int, award_class: str = "economic") -> dict[str, int]:
    """A score sheet giving every scored item of the class's standard ``percentage``."""
    return {item.code: percentage for item in load_standard(award_class).scored_items()}
