"""Conflicts of interest (回避): declarations, the no-conflict statement, conflict profiles
and their bulk import."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import get_user, role_refusal
from mqa_workflow.applications.models import Application
from mqa_workflow.reviews.conflict_declarations import declare_conflict
from mqa_workflow.reviews.profiles import (
    ProfileData,
    get_profile,
    import_profiles,
    may_edit,
    read_rows,
    set_conflict_profile,
    template_csv,
    template_xlsx,
)
from mqa_workflow.reviews.statement import (
    confirm_no_conflict,
    may_review,
    no_conflict_statement,
    statement_of,
)
from mqa_workflow.web.api.documents import read_upload
from mqa_workflow.web.api.schemas import ConflictProfileBody, DeclarationBody, Id
from mqa_workflow.web.api.schemas.common import media, refusals
from mqa_workflow.web.api.schemas.conflicts import (
    ConflictProfileRead,
    DeclarationRead,
    ImportedRead,
    StatementRead,
)
from mqa_workflow.web.api.schemas.reviews import ReplacementsRead
from mqa_workflow.web.deps import DB, Admin, CurrentUser
from mqa_workflow.web.errors import Forbidden

router = APIRouter(tags=["conflicts of interest"], responses=refusals(401, 403, 422))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/applications/{application_id}/conflict-declarations", status_code=201,
             summary="Declare your own conflict of interest; you are withdrawn and replaced",
             responses=refusals(404, 409))
def post_declaration(application_id: Id, body: DeclarationBody, session: DB,
                     user: CurrentUser) -> DeclarationRead:
    if not (user.has_role(Role.REVIEWER) or user.has_role(Role.COMMITTEE_MEMBER)):
        raise Forbidden(f"{user.email} neither reviews nor votes, so has no conflict to declare")
    result = declare_conflict(session, user, application_id, body.reason)
    return DeclarationRead(declared=True, application_id=application_id,
                           **ReplacementsRead.fields_of(result))


@router.get("/applications/{application_id}/no-conflict-statement",
            summary="The no-conflict statement (回避承诺) to confirm before opening",
            responses=refusals(404))
def get_statement(application_id: Id, session: DB, user: CurrentUser) -> StatementRead:
    application = _assigned(session, user, application_id)
    confirmed = statement_of(session, user.id, application_id)
    return StatementRead(
        statement=confirmed.statement if confirmed else no_conflict_statement(application),
        confirmed_at=confirmed.confirmed_at.isoformat() if confirmed else None)


@router.post("/applications/{application_id}/no-conflict-statement", status_code=201,
             summary="Confirm the no-conflict statement for an application",
             responses=refusals(404, 409))
def post_statement(application_id: Id, session: DB, user: CurrentUser) -> StatementRead:
    _assigned(session, user, application_id)
    confirmed = confirm_no_conflict(session, user, application_id)
    return StatementRead(statement=confirmed.statement,
                         confirmed_at=confirmed.confirmed_at.isoformat())


def _assigned(session: DB, user: User, application_id: int) -> Application:
    from mqa_workflow.errors import ConflictError

    if not user.has_role(Role.REVIEWER):
        raise role_refusal(user, Role.REVIEWER, doing="confirm a no-conflict statement")
    try:
        return may_review(session, user, application_id)
    except ConflictError as refused:
        raise Forbidden(refused.message) from None


@router.get("/users/{user_id}/conflict-profile",
            summary="A person's conflict profile (administrators, or the person)",
            responses=refusals(404))
def get_conflict_profile(user_id: Id, session: DB, user: CurrentUser) -> ConflictProfileRead:
    person = get_user(session, user_id)
    _may_edit(user, person)
    return ConflictProfileRead.of(get_profile(session, person))


@router.put("/users/{user_id}/conflict-profile",
            summary="Replace a person's conflict profile; they are checked at once",
            responses=refusals(404, 409))
def put_conflict_profile(user_id: Id, body: ConflictProfileBody, session: DB,
                         user: CurrentUser) -> ConflictProfileRead:
    person = get_user(session, user_id)
    _may_edit(user, person)
    set_conflict_profile(session, person, ProfileData(**body.model_dump()), actor=user.email)
    return ConflictProfileRead.of(get_profile(session, person))


def _may_edit(user: User, person: User) -> None:
    from mqa_workflow.errors import TransitionRefusedError

    try:
        may_edit(user, person)
    except TransitionRefusedError as refused:
        raise Forbidden(refused.message) from None


@router.post("/conflict-profiles/import",
             summary="Import conflict profiles from CSV or XLSX: all rows or none",
             responses=refusals(409))
def post_import(file: Annotated[UploadFile, File()], session: DB, user: Admin
                ) -> ImportedRead:
    result = import_profiles(session, read_rows(file.filename or "upload", read_upload(file)),
                             actor=user.email)
    return ImportedRead(people=result.people, records=result.records)


@router.get("/conflict-profiles/template", response_class=Response,
            summary="The import template (CSV or XLSX)",
            responses=media("text/csv", XLSX, description="The template as a file"))
def get_template(_: Admin, format: Literal["csv", "xlsx"] = "csv") -> Response:
    if format == "xlsx":
        return Response(template_xlsx(), media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="conflict-profiles.xlsx"'})
    return Response(template_csv().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="conflict-profiles.csv"'})
