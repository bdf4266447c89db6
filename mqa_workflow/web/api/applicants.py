"""Applicants (申报主体): organizations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import add_organization, get_organization
from mqa_workflow.errors import NotFoundError
from mqa_workflow.web.api.schemas import Id, OrganizationBody
from mqa_workflow.web.deps import DB, Admin, CurrentUser
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.present import organization_json

router = APIRouter(prefix="/applicants", tags=["applicants"])


@router.get("", summary="Registered organizations")
def list_applicants(session: DB, _: Admin) -> list[dict[str, Any]]:
    found = session.scalars(select(Organization).order_by(Organization.id))
    return [organization_json(o) for o in found]


@router.post("", status_code=201, summary="Register an organization (USCC checked)")
def post_applicant(body: OrganizationBody, session: DB, _: Admin) -> dict[str, Any]:
    organization = add_organization(
        session, name=body.name, uscc=body.uscc, industry=body.industry,
        district=body.district, parent_uscc=body.parent_uscc,
        contacts=[c.model_dump() for c in body.contacts])
    return organization_json(organization)


@router.get("/{organization_id}", summary="One organization (administrators, its contacts)")
def get_applicant(organization_id: Id, session: DB, user: CurrentUser) -> dict[str, Any]:
    if user.has_role(Role.ADMINISTRATOR):
        return organization_json(get_organization(session, organization_id))
    if user.has_role(Role.APPLICANT_CONTACT):
        if user.organization_id != organization_id:
            raise NotFoundError(f"no organization {organization_id!r}")
        return organization_json(get_organization(session, organization_id))
    raise Forbidden(f"{user.email} may not see organizations")
