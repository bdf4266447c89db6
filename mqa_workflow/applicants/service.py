"""Registering applicants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applicants.models import Organization, Project
from mqa_workflow.applicants.uscc import normalise_uscc, uscc_problem
from mqa_workflow.db import get_by_id_or
from mqa_workflow.errors import ConflictError, InvalidInputError


def add_organization(
    session: Session,
    *,
    name: str,
    uscc: str,
    industry: str,
    district: str,
    parent_uscc: str | None = None,
    contacts: Sequence[dict[str, Any]] = (),
) -> Organization:
    uscc = normalise_uscc(uscc)
    problems = [
        f"{label}: {problem}"
        for label, code in (("uscc", uscc), ("parent_uscc", parent_uscc))
        if code and (problem := uscc_problem(normalise_uscc(code)))
    ]
    problems += [f"{field}: must not be blank" for field, value in
                 (("name", name), ("uscc", uscc), ("industry", industry),
                  ("district", district))
                 if not value.strip()]
    if problems:
        raise InvalidInputError("cannot register the organization", problems)
    if session.scalar(select(Organization).where(Organization.uscc == uscc)):
        raise ConflictError(f"an organization with USCC {uscc} is already registered")
    organization = Organization(
        name=name.strip(),
        uscc=uscc,
        industry=industry.strip(),
        district=district.strip(),
        parent_uscc=normalise_uscc(parent_uscc) if parent_uscc else None,
        contacts=list(contacts),
    )
    session.add(organization)
    session.flush()
    return organization


def get_organization(session: Session, ref: str | int) -> Organization:
    """An organization by id or USCC."""
    return get_by_id_or(session, Organization, Organization.uscc, ref, normalise=str.upper,
                        missing="no organization {ref} (give its id or USCC)")


def ensure_project(
    session: Session, organization: Organization, name: str, description: str = ""
) -> Project:
    project = session.scalar(
        select(Project).where(Project.organization_id == organization.id, Project.name == name)
    )
    if project is None:
        if not name.strip():
            raise InvalidInputError("a project needs a name")
        project = Project(organization=organization, name=name.strip(), description=description)
        session.add(project)
        session.flush()
    return project


def related_usccs(session: Session, organization: Organization) -> frozenset[str]:
    """Parent and subsidiaries of ``organization`` (for conflict-of-interest checks)."""
    related = set(
        session.scalars(
            select(Organization.uscc).where(Organization.parent_uscc == organization.uscc)
        )
    )
    if organization.parent_uscc:
        related.add(organization.parent_uscc)
    return frozenset(related)


def set_organization_fields(session: Session, organization: Organization,
                            **fields: Any) -> Organization:
    """Change an organization's data. Its conflicts of interest must be checked again:
    ``reviews.profiles.update_organization`` does both, the call to use."""
    allowed = {"name", "industry", "district", "parent_uscc", "contacts"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise InvalidInputError(f"cannot change {', '.join(unknown)} of an organization")
    parent = fields.get("parent_uscc")
    if parent and (problem := uscc_problem(normalise_uscc(parent))):
        raise InvalidInputError("cannot update the organization", [f"parent_uscc: {problem}"])
    for name, value in fields.items():
        setattr(organization, name, normalise_uscc(value) if name == "parent_uscc" and value
                else value)
    session.flush()
    return organization


# --- bulk import ------------------------------------------------------------------------

# One row per organization; a contact, when given, gets the contact's columns.
IMPORT_COLUMNS = ("name", "uscc", "industry", "district", "parent_uscc", "contact_name",
                  "contact_email", "contact_phone")
TEMPLATE_ROWS = (
    ("深圳某科技有限公司", "91440300708461136T", "电子信息", "南山区", "", "王经理",
     "wang@example.cn", "0755-12345678"),
)


def import_organizations(session: Session, rows: Sequence[Mapping[str, str]]
                         ) -> list[Organization]:
    """Register every organization of ``rows`` (the header is row 1), each checked as
    ``mqa applicant add`` checks one; every bad row is reported with its number and
    nothing is kept unless all are good (the caller's transaction is rolled back)."""
    outer = session.begin_nested()  # a refusal leaves nothing, whatever the caller does
    problems: list[str] = []
    added: list[Organization] = []
    for number, row in enumerate(rows, start=2):
        if not any(row.values()):
            continue
        contact = {"name": row.get("contact_name", ""), "email": row.get("contact_email", ""),
                   "phone": row.get("contact_phone", "")}
        if any(contact.values()) and "@" not in contact["email"]:
            problems.append(f"row {number}: contact_email {contact['email']!r} is not an "
                            "e-mail address")
            continue
        try:
            with session.begin_nested():
                added.append(add_organization(
                    session, name=row.get("name", ""), uscc=row.get("uscc", ""),
                    industry=row.get("industry", ""), district=row.get("district", ""),
                    parent_uscc=row.get("parent_uscc") or None,
                    contacts=[contact] if any(contact.values()) else []))
        except (InvalidInputError, ConflictError) as refused:
            problems += [f"row {number}: {p}" for p in refused.problems or [refused.message]]
    if problems:
        outer.rollback()
        raise InvalidInputError("nothing was imported; fix these rows", problems)
    if not added:
        outer.rollback()
        raise InvalidInputError("nothing to import: the file has no rows")
    outer.commit()
    return added
