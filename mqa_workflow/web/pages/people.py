"""People and pool (人员与专家库): users and their roles, invitations by a one-time link
that sets the password, the reviewer pool (qualifications, capacity; employments and
relationships on the conflict-profile page), and bulk imports of applicants, reviewers,
conflict profiles and eligibility facts with templates, a preview and every bad row
reported by its number.

The imports are the domain's own functions (``applicants.service.import_organizations``,
``reviews.pool.import_reviewers``, ``reviews.profiles.import_profiles``,
``procedure.service.import_facts``), shared with the command line: the preview runs
them in a savepoint that is rolled back, so it shows exactly what the import would do."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi import Form as FormField
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.invitations import (
    invite,
    open_invitation,
    pending_invitations,
    use_invitation,
)
from mqa_workflow.accounts.models import LANGUAGES, Role, User
from mqa_workflow.accounts.service import add_user, get_user, parse_roles
from mqa_workflow.accounts.sign_in import Credential
from mqa_workflow.applicants import service as applicants
from mqa_workflow.audit import service as audit
from mqa_workflow.errors import ConflictError, InvalidInputError, NotFoundError
from mqa_workflow.procedure import service as procedure
from mqa_workflow.reviews import pool, profiles
from mqa_workflow.reviews.models import PoolReviewer
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.web.api.documents import read_upload
from mqa_workflow.web.deps import DB
from mqa_workflow.web.pages.deps import AdminPage, Form, text
from mqa_workflow.web.pages.rendering import back_to, render
from mqa_workflow.web.phrases_setup import CLASS_LABELS
from mqa_workflow.web.security import set_password

router = APIRouter()
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class ImportKind:
    label: str
    columns: Sequence[str]
    template: Sequence[Sequence[str]]
    required: Sequence[str]
    run: Callable[[Session, Sequence[Mapping[str, str]], str], int]


IMPORTS: dict[str, ImportKind] = {
    "applicants": ImportKind(
        "Applicants", applicants.IMPORT_COLUMNS, applicants.TEMPLATE_ROWS, ("name", "uscc"),
        lambda s, rows, actor: len(applicants.import_organizations(s, rows))),
    "reviewers": ImportKind(
        "Reviewers", pool.IMPORT_COLUMNS, pool.TEMPLATE_ROWS, ("email", "classes"),
        lambda s, rows, actor: len(pool.import_reviewers(s, rows, actor=actor))),
    "conflict-profiles": ImportKind(
        "Employments and relationships", profiles.IMPORT_COLUMNS, profiles.TEMPLATE_ROWS,
        ("email", "kind"),
        lambda s, rows, actor: profiles.import_profiles(s, rows, actor=actor).records),
    "eligibility-facts": ImportKind(
        "Eligibility facts", procedure.FACT_COLUMNS, procedure.FACT_TEMPLATE_ROWS,
        ("application", "kind"), lambda s, rows, actor: len(procedure.import_facts(s, rows))),
}


def _overview(request: Request, page: AdminPage, *, status: int = 200,
              **context: Any) -> Response:
    people = list(page.session.scalars(select(User).order_by(User.id)))
    with_password = set(page.session.scalars(select(Credential.user_id)))
    entries = {e.user_id: e for e in page.session.scalars(select(PoolReviewer))}
    return render(request, "admin/people.html", user=page.user, csrf=page.csrf,
                  status=status, people=people, with_password=with_password,
                  invitations=pending_invitations(page.session), entries=entries,
                  roles=[r.value for r in Role], languages=LANGUAGES, imports=IMPORTS,
                  class_labels=CLASS_LABELS, **context)


@router.get("/admin/people")
def overview(request: Request, page: AdminPage) -> Response:
    return _overview(request, page)


def _invitation_link(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/invite/{token}"


@router.post("/admin/people/invite")
def invite_person(request: Request, page: AdminPage, form: Form) -> Response:
    entered = {"name": text(form, "name"), "email": text(form, "email"),
               "roles": [r for r in form.getlist("roles") if isinstance(r, str)],
               "language": text(form, "language", "zh")}
    try:
        with page.session.begin_nested():
            person = add_user(page.session, name=entered["name"], email=entered["email"],
                              roles=parse_roles(entered["roles"]),
                              language=entered["language"])
    except (InvalidInputError, ConflictError) as refused:
        return _overview(request, page, status=422, entered=entered,
                         invite_problems=refused.problems or [refused.message])
    token, invitation = invite(page.session, person, created_by=page.user.email)
    audit.append(page.session, actor=page.user.email, trigger="invite_user",
                 reason=f"{person.email} added and invited",
                 data={"user": person.email, "roles": person.roles})
    return _overview(request, page, invited=person, link=_invitation_link(request, token),
                     expires=invitation.expires_at)


@router.get("/admin/people/{user_id}")
def person_page(user_id: int, request: Request, page: AdminPage) -> Response:
    person = get_user(page.session, user_id)
    return render(request, "admin/people_person.html", user=page.user, csrf=page.csrf,
                  person=person, entry=page.session.get(PoolReviewer, person.id),
                  profile=profiles.get_profile(page.session, person),
                  roles=[r.value for r in Role], class_ids=CLASS_IDS,
                  class_labels=CLASS_LABELS, problems=[], link=None)


@router.post("/admin/people/{user_id}/roles")
def save_roles(user_id: int, page: AdminPage, form: Form) -> Response:
    person = get_user(page.session, user_id)
    roles = parse_roles([r for r in form.getlist("roles") if isinstance(r, str)])
    if person.id == page.user.id and Role.ADMINISTRATOR not in roles:
        raise InvalidInputError("you may not take away your own administrator role")
    before = list(person.roles)
    person.roles = sorted({role.value for role in roles})
    audit.append(page.session, actor=page.user.email, trigger="set_roles",
                 reason=f"roles of {person.email} changed",
                 data={"user": person.email, "before": before, "after": person.roles})
    return back_to(f"/admin/people/{person.id}")


@router.post("/admin/people/{user_id}/pool")
def save_pool_entry(user_id: int, request: Request, page: AdminPage, form: Form) -> Response:
    person = get_user(page.session, user_id)
    capacity = text(form, "capacity").strip()
    try:
        if not capacity.isdigit():
            raise InvalidInputError("cannot put the reviewer in the pool",
                                    [f"capacity: {capacity!r} is not a whole number"])
        with page.session.begin_nested():
            pool.add_pool_reviewer(
                page.session, person,
                classes=[c for c in form.getlist("classes") if isinstance(c, str)],
                industries=pool.split_items(text(form, "industries")), capacity=int(capacity),
                may_lead=text(form, "may_lead") == "on", actor=page.user.email)
            if not person.has_role(Role.REVIEWER):
                person.roles = sorted({*person.roles, Role.REVIEWER.value})
    except InvalidInputError as refused:
        return render(request, "admin/people_person.html", user=page.user, csrf=page.csrf,
                      person=person, entry=page.session.get(PoolReviewer, person.id),
                      profile=profiles.get_profile(page.session, person),
                      roles=[r.value for r in Role], class_ids=CLASS_IDS,
                      class_labels=CLASS_LABELS, problems=refused.problems, link=None,
                      status=422)
    audit.append(page.session, actor=page.user.email, trigger="pool_entry",
                 reason=f"{person.email} in the reviewer pool",
                 data={"user": person.email, "capacity": int(capacity)})
    return back_to(f"/admin/people/{person.id}")


@router.post("/admin/people/{user_id}/invite")
def invite_again(user_id: int, request: Request, page: AdminPage) -> Response:
    person = get_user(page.session, user_id)
    token, _ = invite(page.session, person, created_by=page.user.email)
    audit.append(page.session, actor=page.user.email, trigger="invite_user",
                 reason=f"{person.email} invited again", data={"user": person.email})
    return render(request, "admin/people_person.html", user=page.user, csrf=page.csrf,
                  person=person, entry=page.session.get(PoolReviewer, person.id),
                  profile=profiles.get_profile(page.session, person),
                  roles=[r.value for r in Role], class_ids=CLASS_IDS,
                  class_labels=CLASS_LABELS, problems=[],
                  link=_invitation_link(request, token))


# --- the invitation link (no sign-in: the link is the proof) ---------------------------


@router.get("/invite/{token}")
def invitation_page(token: str, request: Request, session: DB) -> Response:
    try:
        _, person = open_invitation(session, token)
    except NotFoundError:
        return render(request, "people_invitation.html", person=None, status=404,
                      problems=[])
    return render(request, "people_invitation.html", person=person, problems=[])


@router.post("/invite/{token}")
def accept_invitation(token: str, request: Request, session: DB, form: Form) -> Response:
    try:
        invitation, person = open_invitation(session, token)
    except NotFoundError:
        return render(request, "people_invitation.html", person=None, status=404,
                      problems=[])
    password = text(form, "password")
    problems = []
    if password != text(form, "password_again"):
        problems.append("两次输入的密码不一致 (the two passwords differ)")
    else:
        try:
            set_password(session, person, password)  # the password rules of every change
        except InvalidInputError as refused:
            problems += refused.problems
    if problems:
        return render(request, "people_invitation.html", person=person, problems=problems,
                      status=422)
    use_invitation(session, invitation)
    audit.append(session, actor=person.email, trigger="accept_invitation",
                 reason=f"{person.email} set their password by invitation",
                 data={"user": person.email})
    return back_to("/login")


# --- bulk import ------------------------------------------------------------------------


def _kind(name: str) -> ImportKind:
    if name not in IMPORTS:
        raise InvalidInputError(f"import what? one of {', '.join(IMPORTS)}")
    return IMPORTS[name]


@router.get("/admin/people/templates/{kind}")
def template(kind: str, page: AdminPage, format: str = "xlsx") -> Response:
    chosen = _kind(kind)
    if format == "csv":
        body = "\ufeff" + profiles.template_csv(chosen.columns, chosen.template)
        return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'})
    return Response(profiles.template_xlsx(chosen.columns, chosen.template, kind),
                    media_type="application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{kind}.xlsx"'})


def _run(page: AdminPage, kind: str, filename: str, content: bytes, *, keep: bool
         ) -> tuple[int, list[dict[str, str]], list[str]]:
    """Run the import; without ``keep`` inside a savepoint rolled back (the preview)."""
    chosen = _kind(kind)
    try:  # a file refused as a whole is shown in the preview too, not on an error page
        if len(content) > MAX_IMPORT_BYTES:
            raise InvalidInputError(f"{filename}: at most {MAX_IMPORT_BYTES // 1024} KB a file")
        rows = profiles.read_rows(filename, content, chosen.required)
    except InvalidInputError as refused:
        return 0, [], [refused.message, *refused.problems]
    nested = page.session.begin_nested()
    try:
        count = chosen.run(page.session, rows, page.user.email)
    except InvalidInputError as refused:
        nested.rollback()
        return 0, rows, refused.problems or [refused.message]
    if keep:
        nested.commit()
    else:
        nested.rollback()
    return count, rows, []


@router.post("/admin/people/import")
def import_preview(request: Request, page: AdminPage, file: Annotated[UploadFile, File()],
                   kind: Annotated[str, FormField(max_length=40)] = "") -> Response:
    content = read_upload(file)
    filename = file.filename or "upload.csv"
    count, rows, problems = _run(page, kind, filename, content, keep=False)
    return _overview(request, page, status=422 if problems else 200, preview={
        "kind": kind, "filename": filename, "count": count, "rows": rows[:200],
        "columns": IMPORTS[kind].columns, "problems": problems,
        "content": base64.b64encode(content).decode()})


@router.post("/admin/people/import/apply")
def import_apply(request: Request, page: AdminPage, form: Form) -> Response:
    kind, filename = text(form, "kind"), text(form, "filename")
    try:
        content = base64.b64decode(text(form, "content"), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError("the previewed file did not come back whole; "
                                "upload it again") from None
    count, rows, problems = _run(page, kind, filename, content, keep=True)
    if problems:
        return _overview(request, page, status=422, preview={
            "kind": kind, "filename": filename, "count": 0, "rows": rows[:200],
            "columns": IMPORTS[kind].columns, "problems": problems,
            "content": text(form, "content")})
    audit.append(page.session, actor=page.user.email, trigger="bulk_import",
                 reason=f"{count} {kind} imported from {filename}",
                 data={"kind": kind, "file": filename, "imported": count})
    return _overview(request, page, imported={"kind": kind, "count": count})
