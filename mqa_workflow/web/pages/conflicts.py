"""Administrators' conflict-profile pages (回避信息): everyone who reviews or votes, their
profiles, the bulk import with its template, and the conflicts recorded."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import get_user
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.reviews.models import ConflictOfInterest, ConflictProfile
from mqa_workflow.reviews.profiles import (
    RECORD_FIELDS,
    ProfileData,
    get_profile,
    import_profiles,
    read_rows,
    set_conflict_profile,
)
from mqa_workflow.web.api.documents import read_upload
from mqa_workflow.web.pages.deps import AdminPage, Form, Page, text
from mqa_workflow.web.pages.rendering import back_to, render

router = APIRouter(prefix="/admin/conflicts")


def _people(page: Page) -> list[User]:
    users = page.session.scalars(select(User).order_by(User.id))
    return [u for u in users if u.has_role(Role.REVIEWER) or u.has_role(Role.COMMITTEE_MEMBER)]


@router.get("")
def overview(request: Request, page: AdminPage, imported: str = "") -> Response:
    people = _people(page)
    profiles = {p.user_id: p for p in page.session.scalars(select(ConflictProfile))}
    found = list(page.session.scalars(
        select(ConflictOfInterest).order_by(ConflictOfInterest.found_at.desc()).limit(500)))
    names = {u.id: u for u in page.session.scalars(select(User))}
    return render(request, "admin/conflicts.html", user=page.user, csrf=page.csrf,
                  people=people, profiles=profiles, found=found, names=names,
                  imported=imported)


@router.post("/import")
def import_upload(page: AdminPage, file: Annotated[UploadFile, File()]) -> Response:
    result = import_profiles(page.session, read_rows(file.filename or "upload",
                                                     read_upload(file)), actor=page.user.email)
    return back_to(f"/admin/conflicts?imported={result.records}")


# Each list is edited as lines of comma-separated fields, in this order.
LINE_FIELDS = RECORD_FIELDS


def as_lines(records: list[dict[str, Any]], kind: str) -> str:
    return "\n".join(",".join(str(r.get(name) or "") for name in LINE_FIELDS[kind])
                     for r in records)


def from_lines(value: str, kind: str) -> tuple[list[dict[str, str]], list[str]]:
    records, problems = [], []
    for n, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("，", ",").split(",")]
        if len(parts) > len(LINE_FIELDS[kind]):
            problems.append(f"{kind} line {n}: at most {len(LINE_FIELDS[kind])} fields "
                            f"({','.join(LINE_FIELDS[kind])})")
            continue
        records.append(dict(zip(LINE_FIELDS[kind], parts, strict=False)))
    return records, problems


@router.get("/{user_id}")
def edit(user_id: int, request: Request, page: AdminPage) -> Response:
    person = get_user(page.session, user_id)
    data = get_profile(page.session, person)
    return render(request, "admin/conflict_profile.html", user=page.user, csrf=page.csrf,
                  person=person, data=data, fields=LINE_FIELDS,
                  lines={kind: as_lines(getattr(data, kind), kind) for kind in LINE_FIELDS})


@router.post("/{user_id}")
def save(user_id: int, page: AdminPage, form: Form) -> Response:
    person = get_user(page.session, user_id)
    data = ProfileData(text(form, "employer_uscc") or None, text(form, "industry") or None,
                       text(form, "district") or None)
    problems = []
    for kind in LINE_FIELDS:
        records, wrong = from_lines(text(form, kind), kind)
        setattr(data, kind, records)
        problems += wrong
    if problems:
        raise InvalidInputError(f"the conflict profile of {person.name} is refused", problems)
    set_conflict_profile(page.session, person, data, actor=page.user.email)
    return back_to(f"/admin/conflicts/{user_id}")
