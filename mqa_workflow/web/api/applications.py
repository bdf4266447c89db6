"""Applications (申报): the applicant's draft, its answers, and what everyone may read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from mqa_workflow.accounts.models import Role
from mqa_workflow.applicants.service import get_organization
from mqa_workflow.applications.service import create_application, write_answers
from mqa_workflow.audit.service import history
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.states.engine import waiting_for
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import AnswersBody, ApplicationBody, Id, Short
from mqa_workflow.web.deps import DB, Admin, CurrentUser
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import visible_applications
from mqa_workflow.web.present import application_json, history_json

router = APIRouter(prefix="/applications", tags=["applications"])


@router.get("", summary="The applications you may see (narrowed by role and relation)")
def list_applications(
    session: DB, user: CurrentUser,
    cycle_id: Annotated[Id | None, Query()] = None,
    award_class: Annotated[Short | None, Query()] = None,
    state: Annotated[Short | None, Query()] = None,
) -> list[dict[str, Any]]:
    found = visible_applications(session, user, cycle_id=cycle_id, award_class=award_class,
                                 state=state)
    return [application_json(session, user, a) for a in found]


@router.post("", status_code=201, summary="Open a draft application")
def post_application(body: ApplicationBody, session: DB, user: CurrentUser) -> dict[str, Any]:
    if user.has_role(Role.ADMINISTRATOR):
        if body.organization_id is None:
            raise InvalidInputError("name the organization (organization_id)")
        organization_ref = body.organization_id
    elif user.has_role(Role.APPLICANT_CONTACT) and user.organization_id is not None:
        if body.organization_id not in (None, user.organization_id):
            raise Forbidden("an applicant contact applies only for their own organization")
        organization_ref = user.organization_id
    else:
        raise Forbidden(f"{user.email} may not open applications")
    application = create_application(
        session, cycle=get_cycle(session, body.cycle_id), award_class=body.award_class,
        organization=get_organization(session, organization_ref),
        project_name=body.project_name)
    return application_json(session, user, application)


@router.get("/{application_id}", summary="One application, as far as you may see it")
def get_one(application_id: Id, session: DB, user: CurrentUser) -> dict[str, Any]:
    return application_json(session, user, access.readable(session, user, application_id))


@router.put("/{application_id}/answers", summary="Save the profile and item answers")
def put_answers(application_id: Id, body: AnswersBody, session: DB, user: CurrentUser
                ) -> dict[str, Any]:
    application = access.editable(session, user, application_id)
    write_answers(session, application, profile=body.profile, answers=body.items)
    return application_json(session, user, application)


@router.get("/{application_id}/history", summary="Every transition, from the audit chain")
def get_history(application_id: Id, session: DB, user: CurrentUser) -> list[dict[str, Any]]:
    access.editable(session, user, application_id)
    records = history(session, application_id)
    if not access.is_admin(user):  # applicants: the moves only, never the review's inner work
        records = [r for r in records if r.to_state]
    return [history_json(r) for r in records]


@router.get("/{application_id}/waiting-for",
            summary="For each trigger from here, what still stands in its way")
def get_waiting_for(application_id: Id, session: DB, user: Admin) -> dict[str, list[str]]:
    return waiting_for(session, access.readable(session, user, application_id), user)
