"""The administrator's case board: a cycle's applications with what each is waiting for.

Read-only. Class, state and the search narrow the query in the database; the review
progress, the next deadline and the team come from one query over the filtered
applications' assignments (not one per row); "overdue" and "uncovered" filter on those
figures; then the rows are sorted and one page of them is returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, String, cast, or_, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applicants.models import Organization, Project
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.clock import now
from mqa_workflow.cycles.models import STAGES, AwardCycle, CycleRules
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.reviews.models import ACTIVE, AssignmentStatus, ReviewAssignment
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.table import is_final

REVIEW_STAGES = ("document_review", "defence", "site_visit")
SORTS = ("id", "applicant", "class", "state", "progress", "deadline")
PER_PAGE = 25
_STATE_ORDER = {state.value: n for n, state in enumerate(ApplicationState)}


def class_name(award_class: str) -> str:
    """The class as the standard names it (经济类, …)."""
    return load_standard(award_class).award_class


@dataclass(frozen=True)
class BoardQuery:
    award_class: str = ""
    state: str = ""
    overdue: bool = False
    uncovered: bool = False  # the running review team has fewer reviewers than the rules
    search: str = ""
    sort: str = "id"
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class Reviewer:
    name: str
    leader: bool
    submitted: bool


@dataclass(frozen=True)
class BoardRow:
    id: int
    title: str
    award_class: str
    class_name: str
    state: str
    stage: str | None  # the review stage running now, if any
    sheets_in: int
    expected: int  # the team size the cycle's rules set for that stage (0: none runs)
    reviewers: list[Reviewer]
    next_due: datetime | None
    overdue: bool

    @property
    def uncovered(self) -> bool:
        return self.stage is not None and len(self.reviewers) < self.expected


@dataclass
class Board:
    rows: list[BoardRow]
    total: int  # rows matching the filter, over every page
    page: int
    pages: int
    matching_ids: list[int] = field(default_factory=list)  # the filter's whole result


@dataclass(frozen=True)
class _Member:
    stage: str
    status: str
    leader: bool
    due_at: datetime | None
    name: str


def case_board(session: Session, cycle: AwardCycle, query: BoardQuery,
               moment: datetime | None = None) -> Board:
    """Plain columns, not ORM objects: a board of a thousand applications reads two
    result sets (the applications, their active teams) and builds no entity."""
    moment = moment or now()
    rules = cycle.rules
    names = {c: class_name(c) for c in {*cycle.classes, query.award_class} - {""}
             if c in CLASS_IDS}
    found = _filtered(cycle.id, query)
    teams = _teams(session, found.with_only_columns(Application.id))
    rows = [_row(row, cycle, rules, names, teams.get(row.id, []), moment)
            for row in session.execute(found)]
    if query.overdue:
        rows = [r for r in rows if r.overdue]
    if query.uncovered:
        rows = [r for r in rows if r.uncovered]
    rows.sort(key=_sort_key(query.sort if query.sort in SORTS else "id"),
              reverse=query.descending)
    per_page = max(1, query.per_page)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, query.page), pages)
    return Board(rows[(page - 1) * per_page: page * per_page], len(rows), page, pages,
                 [r.id for r in rows])


def _filtered(cycle_id: int, query: BoardQuery) -> Select[Any]:
    statement = (select(Application.id, Application.award_class, Application.state,
                        Application.correction_due_at, Organization.name.label("org"),
                        Project.name.label("project"))
                 .join(Organization, Application.organization_id == Organization.id)
                 .outerjoin(Project, Application.project_id == Project.id)
                 .where(Application.cycle_id == cycle_id))
    if query.award_class:
        statement = statement.where(Application.award_class == query.award_class)
    if query.state:
        known = ApplicationState.named(query.state)
        statement = statement.where(Application.state == known if known else
                                    Application.id.is_(None))
    words = query.search.strip()
    if words:
        like = f"%{words}%"
        statement = statement.where(or_(Organization.name.ilike(like),
                                        Organization.uscc.ilike(like), Project.name.ilike(like),
                                        cast(Application.id, String) == words.lstrip("#")))
    return statement.order_by(Application.id)


def _teams(session: Session, ids: Select[Any]) -> dict[int, list[_Member]]:
    found: dict[int, list[_Member]] = defaultdict(list)
    rows = session.execute(
        select(ReviewAssignment.application_id, ReviewAssignment.stage,
               ReviewAssignment.status, ReviewAssignment.is_leader, ReviewAssignment.due_at,
               User.name)
        .join(User, ReviewAssignment.reviewer_id == User.id)
        .where(ReviewAssignment.application_id.in_(ids.order_by(None).scalar_subquery()),
               ReviewAssignment.status.in_(ACTIVE))
        .order_by(ReviewAssignment.is_leader.desc(), ReviewAssignment.id))
    for application_id, stage, status, leader, due_at, name in rows:
        found[application_id].append(_Member(str(stage), str(status), leader, due_at, name))
    return found


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _row(row: Row[Any], cycle: AwardCycle, rules: CycleRules, names: dict[str, str],
         members: list[_Member], moment: datetime) -> BoardRow:
    state = str(row.state)
    stage = state if state in REVIEW_STAGES else None
    team = [m for m in members if m.stage == stage] if stage else []
    submitted = [m for m in team if m.status == AssignmentStatus.SUBMITTED]
    due = _next_due(state, row.correction_due_at, cycle, team)
    return BoardRow(
        row.id, f"{row.org} · {row.project}" if row.project else row.org, row.award_class,
        names.get(row.award_class, row.award_class), state, stage, len(submitted),
        rules.team_size(stage) if stage else 0,
        [Reviewer(m.name, m.leader, m.status == AssignmentStatus.SUBMITTED) for m in team],
        due, due is not None and due < moment)


def _next_due(state: str, correction_due_at: datetime | None, cycle: AwardCycle,
              team: list[_Member]) -> datetime | None:
    """The earliest open deadline: a team member's unsubmitted sheet, the correction
    period, or else the cycle's deadline for the stage the application is in."""
    if is_final(state):
        return None
    if state == ApplicationState.RETURNED_FOR_CORRECTION:
        return _aware(correction_due_at)
    open_sheets = [d for m in team if m.status == AssignmentStatus.ASSIGNED
                   if (d := _aware(m.due_at)) is not None]
    if open_sheets:
        return min(open_sheets)
    stage = "submission" if state == ApplicationState.DRAFT else state
    return stage_due_at(cycle, stage) if stage in STAGES else None


def _sort_key(sort: str) -> Callable[[BoardRow], Any]:
    far = datetime.max.replace(tzinfo=UTC)
    keys: dict[str, Callable[[BoardRow], Any]] = {
        "id": lambda r: r.id,
        "applicant": lambda r: (r.title, r.id),
        "class": lambda r: (CLASS_IDS.index(r.award_class) if r.award_class in CLASS_IDS
                            else 99, r.id),
        "state": lambda r: (_STATE_ORDER.get(r.state, 99), r.id),
        "progress": lambda r: (r.sheets_in / r.expected if r.expected else 2.0, r.id),
        "deadline": lambda r: (r.next_due or far, r.id),
    }
    return keys[sort]
