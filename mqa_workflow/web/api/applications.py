"""Applications (申报): the applicant's draft, its answers, and what everyone may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from mqa_workflow.applicants.service import get_organization
from mqa_workflow.applications.service import create_application, write_answers
from mqa_workflow.audit.service import history
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.states.engine import waiting_for
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import AnswersBody, ApplicationBody, Id, Short
from mqa_workflow.web.api.schemas.applications import ApplicationRead, HistoryEntryRead
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.deps import DB, Admin, CurrentUser
from mqa_workflow.web.listing import visible_applications

router = APIRouter(prefix="/applications", tags=["applications"],
                   responses=refusals(401, 422))
# The materials' fields are left out for those who may not see them (not sent as null).
MATERIALS = {"response_model_exclude_unset": True}


@router.get("", summary="The applications you may see (narrowed by role and relation)",
            **MATERIALS)
def list_applications(
    session: DB, user: CurrentUser,
    cycle_id: Annotated[Id | None, Query()] = None,
    award_class: Annotated[Short | None, Query()] = None,
    state: Annotated[Short | None, Query()] = None,
) -> list[ApplicationRead]:
    found = visible_applications(session, user, cycle_id=cycle_id, award_class=award_class,
                                 state=state)
    return [ApplicationRead.of(session, user, a) for a in found]


@router.post("", status_code=201, summary="Open a draft application",
             responses=refusals(403, 404, 409), **MATERIALS)
def post_application(body: ApplicationBody, session: DB, user: CurrentUser
                     ) -> ApplicationRead:
    organization_ref = access.applying_for(user, body.organization_id)
    application = create_application(
        session, cycle=get_cycle(session, body.cycle_id), award_class=body.award_class,
        organization=get_organization(session, organization_ref),
        project_name=body.project_name)
    return ApplicationRead.of(session, user, application)


@router.get("/{application_id}", summary="One application, as far as you may see it",
            responses=refusals(403, 404), **MATERIALS)
def get_one(application_id: Id, session: DB, user: CurrentUser) -> ApplicationRead:
    return ApplicationRead.of(session, user, access.readable(session, user, application_id))


@router.put("/{application_id}/answers", summary="Save the profile and item answers",
            responses=refusals(403, 404, 409), **MATERIALS)
def put_answers(application_id: Id, body: AnswersBody, session: DB, user: CurrentUser
                ) -> ApplicationRead:
    application = access.editable(session, user, application_id)
    write_answers(session, application, profile=body.profile, answers=body.items)
    return ApplicationRead.of(session, user, application)


@router.get("/{application_id}/history", summary="Every transition, from the audit chain",
            responses=refusals(403, 404))
def get_history(application_id: Id, session: DB, user: CurrentUser
                ) -> list[HistoryEntryRead]:
    access.editable(session, user, application_id)
    return HistoryEntryRead.list_for(user, history(session, application_id))


@router.get("/{application_id}/waiting-for",
            summary="For each trigger from here, what still stands in its way",
            responses=refusals(403, 404))
def get_waiting_for(application_id: Id, session: DB, user: Admin) -> dict[str, list[str]]:
    return waiting_for(session, access.readable(session, user, application_id), user)
