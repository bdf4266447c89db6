"""Reviewers' work: assignments, score sheets, consensus and site visits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import role_refusal
from mqa_workflow.applications.models import Application
from mqa_workflow.reviews.agreed_feedback import record_agreed_feedback
from mqa_workflow.reviews.assignment_service import assign_stage, decline
from mqa_workflow.reviews.consensus import spreads
from mqa_workflow.reviews.consensus_gate import record_when_all_in
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ReviewStage, SiteVisit
from mqa_workflow.reviews.sheets import save_sheet
from mqa_workflow.reviews.site_visits import schedule_site_visit, submit_visit_report
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import (
    AgreedFeedbackBody,
    AssignBody,
    ConsensusBody,
    DeclineBody,
    Id,
    ReportBody,
    SheetBody,
    VisitBody,
)
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.api.schemas.reviews import (
    AssignedRead,
    AssignmentListedRead,
    AssignmentRead,
    AssignmentSheetRead,
    ConsensusRead,
    ConsensusViewRead,
    ReplacementsRead,
    SheetRead,
    SpreadRead,
    VisitRead,
)
from mqa_workflow.web.deps import DB, Admin, CurrentUser, Reviewer
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import assignments_of, sheet_of

router = APIRouter(tags=["reviews"], responses=refusals(401, 403, 422))
WRITE = refusals(404, 409)


@router.get("/assignments", summary="Assignments: yours (reviewers) or any (administrators)")
def list_assignments(
    session: DB, user: CurrentUser,
    application_id: Annotated[Id | None, Query()] = None,
    stage: Annotated[ReviewStage | None, Query()] = None,
) -> list[AssignmentListedRead]:
    if user.has_role(Role.ADMINISTRATOR):
        reviewer_id = None
    elif user.has_role(Role.REVIEWER):
        reviewer_id = user.id
    else:
        raise role_refusal(user, Role.REVIEWER, Role.ADMINISTRATOR,
                           doing="see review assignments")
    found = assignments_of(session, reviewer_id=reviewer_id, application_id=application_id,
                           stage=stage.value if stage else None)
    return [AssignmentListedRead(**AssignmentRead.fields_of(a),
                                 sheet_status=SheetRead.of(sheet_of(session, a)).status)
            for a in found]


@router.post("/applications/{application_id}/assignments",
             summary="Complete the application's team for a stage (the solver)",
             responses=WRITE)
def post_assign(application_id: Id, body: AssignBody, session: DB, user: Admin
                ) -> AssignedRead:
    access.readable(session, user, application_id)
    return AssignedRead.of(assign_stage(session, [application_id], body.stage))


@router.post("/assignments/{assignment_id}/decline",
             summary="Decline your assignment; a replacement is assigned at once",
             responses=WRITE)
def post_decline(assignment_id: Id, body: DeclineBody, session: DB, user: Reviewer
                 ) -> ReplacementsRead:
    # Declining needs no opening of the materials (nor the no-conflict statement).
    assignment = access.reviewer_task(session, user, assignment_id)
    return ReplacementsRead(**ReplacementsRead.fields_of(
        decline(session, assignment, body.reason)))


def _mine(session: DB, user: User, assignment_id: int) -> ReviewAssignment:
    assignment = access.own_assignment(session, user, assignment_id)
    if assignment.reviewer_id != user.id:
        raise Forbidden(f"assignment {assignment_id} belongs to another reviewer")
    return assignment


@router.get("/assignments/{assignment_id}/sheet", summary="The score sheet of an assignment",
            responses=refusals(404))
def get_sheet(assignment_id: Id, session: DB, user: CurrentUser) -> AssignmentSheetRead:
    if not (user.has_role(Role.REVIEWER) or user.has_role(Role.ADMINISTRATOR)):
        raise role_refusal(user, Role.REVIEWER, Role.ADMINISTRATOR, doing="see score sheets")
    assignment = access.own_assignment(session, user, assignment_id)
    return AssignmentSheetRead(**AssignmentRead.fields_of(assignment),
                               sheet=SheetRead.of(sheet_of(session, assignment)))


@router.put("/assignments/{assignment_id}/sheet",
            summary="Save a draft score sheet, or submit it (complete, then locked)",
            responses=WRITE)
def put_sheet(assignment_id: Id, body: SheetBody, session: DB, user: Reviewer
              ) -> SheetRead:
    assignment = _mine(session, user, assignment_id)
    sheet = save_sheet(session, assignment, body.scores,
                       {code: c.model_dump() for code, c in body.comments.items()},
                       submit=body.submit)
    return SheetRead.of(sheet)


def _team_or_admin(session: DB, user: User, application_id: int, stage: str) -> Application:
    return access.team_place(session, user, application_id, stage)[0]


@router.get("/applications/{application_id}/consensus/{stage}",
            summary="Per item: the reviewers' percentages, spread, flag; the recorded sheet "
                    "(a reviewer: only after submitting their own; before, k of n submitted)",
            responses=refusals(404))
def get_consensus(application_id: Id, stage: ReviewStage, session: DB, user: CurrentUser
                  ) -> ConsensusViewRead:
    application, place = access.team_place(session, user, application_id, stage.value)
    submitted, team = access.team_progress(session, application_id, stage.value)
    if not access.sees_team_percentages(user, place):
        # Independent scoring: nothing of the others' sheets until your own is in.
        return ConsensusViewRead(submitted=submitted, team=team, visible=False, items=None,
                                 consensus=None)
    recorded = session.scalar(select(ConsensusSheet).where(
        ConsensusSheet.application_id == application_id, ConsensusSheet.stage == stage.value))
    return ConsensusViewRead(
        submitted=submitted, team=team, visible=True,
        items={code: SpreadRead(values=v, spread=s, flagged=f)
               for code, (v, s, f) in spreads(session, application, stage).items()},
        consensus=ConsensusRead.of(recorded) if recorded is not None else None)


@router.post("/applications/{application_id}/consensus/{stage}", status_code=201,
             summary="The team leader records the consensus sheet (once every sheet is in)",
             responses=WRITE)
def post_consensus(application_id: Id, stage: ReviewStage, body: ConsensusBody, session: DB,
                   user: Reviewer) -> ConsensusRead:
    application = _team_or_admin(session, user, application_id, stage.value)
    decisions = {code: (d.percentage, d.rationale) for code, d in body.decisions.items()}
    # Only once every sheet of the team is in, as on the page (a 409 names how many are).
    return ConsensusRead.of(record_when_all_in(session, application, stage, user, decisions))


@router.put("/applications/{application_id}/consensus/{stage}/feedback",
            summary="The team leader writes the agreed feedback (优势与改进机会) over the "
                    "recorded consensus, until the results are released",
            responses=WRITE | refusals(422))
def put_agreed_feedback(application_id: Id, stage: ReviewStage, body: AgreedFeedbackBody,
                        session: DB, user: Reviewer) -> ConsensusRead:
    application = _team_or_admin(session, user, application_id, stage.value)
    return ConsensusRead.of(record_agreed_feedback(
        session, application, stage, user, summary=body.summary,
        categories={code: c.model_dump() for code, c in body.categories.items()}))


@router.get("/applications/{application_id}/site-visit",
            summary="The site visit (null before it is scheduled)", responses=refusals(404))
def get_visit(application_id: Id, session: DB, user: CurrentUser) -> VisitRead | None:
    _team_or_admin(session, user, application_id, ReviewStage.SITE_VISIT.value)
    visit = session.get(SiteVisit, application_id)
    return VisitRead.of(visit) if visit is not None else None


@router.put("/applications/{application_id}/site-visit",
            summary="Schedule the site visit and what to verify", responses=WRITE)
def put_visit(application_id: Id, body: VisitBody, session: DB, user: Admin) -> VisitRead:
    application = access.readable(session, user, application_id)
    return VisitRead.of(schedule_site_visit(session, application, body.scheduled_on,
                                            body.issues_to_verify))


@router.post("/applications/{application_id}/site-visit/report",
             summary="The team leader submits the site-visit report", responses=WRITE)
def post_report(application_id: Id, body: ReportBody, session: DB, user: Reviewer
                ) -> VisitRead:
    application = _team_or_admin(session, user, application_id, ReviewStage.SITE_VISIT.value)
    findings = [finding.model_dump() for finding in body.findings]
    return VisitRead.of(submit_visit_report(session, application, user, findings,
                                            body.report))
