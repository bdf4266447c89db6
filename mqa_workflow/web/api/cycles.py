"""Award cycles and the administrators' case board."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.applications.models import ApplicationState
from mqa_workflow.applications.service import count_by_state
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import create_cycle, get_cycle
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.release import release_results
from mqa_workflow.web.api.schemas import CycleBody, Id
from mqa_workflow.web.api.schemas.applications import BoardRead, CycleRead, ReleaseRead
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.deps import DB, Admin, CurrentUser

router = APIRouter(prefix="/cycles", tags=["cycles"], responses=refusals(401))


@router.get("", summary="Award cycles")
def list_cycles(session: DB, _: CurrentUser) -> list[CycleRead]:
    return [CycleRead.of(c) for c in session.scalars(select(AwardCycle).order_by(AwardCycle.id))]


@router.post("", status_code=201, summary="Create a cycle with its deadlines and rules",
             responses=refusals(403, 409, 422))
def post_cycle(body: CycleBody, session: DB, _: Admin) -> CycleRead:
    cycle = create_cycle(session, year=body.year, classes=body.classes or CLASS_IDS,
                         deadlines=body.deadlines, rules=body.rules, name=body.name)
    return CycleRead.of(cycle)


@router.get("/{cycle_id}", summary="One cycle", responses=refusals(404, 422))
def get_one(cycle_id: Id, session: DB, _: CurrentUser) -> CycleRead:
    return CycleRead.of(get_cycle(session, cycle_id))


@router.get("/{cycle_id}/board", summary="How many applications sit in each state, per class",
            responses=refusals(403, 404, 422))
def board(cycle_id: Id, session: DB, _: Admin) -> BoardRead:
    cycle = get_cycle(session, cycle_id)
    counts = count_by_state(session, cycle.id)
    return BoardRead(cycle=CycleRead.of(cycle), states=[s.value for s in ApplicationState],
                     counts={c: {s.value: counts.get((c, s.value), 0) for s in ApplicationState}
                             for c in cycle.classes})


@router.post("/{cycle_id}/release-results",
             summary="Release the cycle's scores, ranks and feedback reports to the applicants "
                     "(once every decision is taken and every public notice has closed)",
             responses=refusals(403, 404, 409, 422))
def post_release(cycle_id: Id, session: DB, user: Admin) -> ReleaseRead:
    cycle = get_cycle(session, cycle_id)
    release = release_results(session, cycle, user)
    return ReleaseRead(cycle=CycleRead.of(cycle),
                       feedback_reports_announced=release.applications)
