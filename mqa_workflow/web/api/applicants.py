"""Applicants (申报主体): organizations."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import role_refusal
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import add_organization, get_organization
from mqa_workflow.errors import NotFoundError
from mqa_workflow.web.api.schemas import Id, OrganizationBody
from mqa_workflow.web.api.schemas.applications import OrganizationRead
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.deps import DB, Admin, CurrentUser

router = APIRouter(prefix="/applicants", tags=["applicants"], responses=refusals(401, 403))


@router.get("", summary="Registered organizations")
def list_applicants(session: DB, _: Admin) -> list[OrganizationRead]:
    found = session.scalars(select(Organization).order_by(Organization.id))
    return [OrganizationRead.of(o) for o in found]


@router.post("", status_code=201, summary="Register an organization (USCC checked)",
             responses=refusals(409, 422))
def post_applicant(body: OrganizationBody, session: DB, _: Admin) -> OrganizationRead:
    organization = add_organization(
        session, name=body.name, uscc=body.uscc, industry=body.industry,
        district=body.district, parent_uscc=body.parent_uscc,
        contacts=[c.model_dump() for c in body.contacts])
    return OrganizationRead.of(organization)


@router.get("/{organization_id}", summary="One organization (administrators, its contacts)",
            responses=refusals(404, 422))
def get_applicant(organization_id: Id, session: DB, user: CurrentUser) -> OrganizationRead:
    if user.has_role(Role.ADMINISTRATOR):
        return OrganizationRead.of(get_organization(session, organization_id))
    if user.has_role(Role.APPLICANT_CONTACT):
        if user.organization_id != organization_id:
            raise NotFoundError(f"no organization {organization_id!r}")
        return OrganizationRead.of(get_organization(session, organization_id))
    raise role_refusal(user, Role.ADMINISTRATOR, Role.APPLICANT_CONTACT,
                       doing="see organizations")
