"""Sign-in, the home page of each role, the inbox and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, select

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.sign_in import WebSession
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import office_time
from mqa_workflow.errors import InvalidInputError, NotFoundError
from mqa_workflow.notifications.inbox import inbox, mark_read, unread_count
from mqa_workflow.web import throttle
from mqa_workflow.web.api.auth import client_of, set_session_cookie
from mqa_workflow.web.deps import SESSION_COOKIE, database_of
from mqa_workflow.web.i18n import LANGUAGES, translator
from mqa_workflow.web.pages.deps import AdminPage, Page, text
from mqa_workflow.web.pages.deps import Form as FormData
from mqa_workflow.web.pages.rendering import back_to, language, render
from mqa_workflow.web.security import (
    TooManyAttempts,
    check_password,
    end_session_by_id,
    end_sessions,
    sessions_of,
    set_password,
    sign_in,
)

router = APIRouter()

HOMES = ((Role.ADMINISTRATOR, "/admin"), (Role.REVIEWER, "/tasks"),
         (Role.COMMITTEE_MEMBER, "/committee"), (Role.APPLICANT_CONTACT, "/applications"),
         (Role.OPERATOR, "/ops"))


def _safe_next(target: str) -> str:
    # Only same-site paths: "//evil.example" or "https://…" would be an open redirect.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login")
def login(request: Request, email: Annotated[str, Form(max_length=320)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    address, agent = client_of(request)
    try:
        done = sign_in(database_of(request), email, password, client_address=address,
                       user_agent=agent)
    except TooManyAttempts as refused:
        page = render(request, "login.html", next=_safe_next(next), failed=False,
                      wait=refused.retry_after, status=429)
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    if done is None:
        return render(request, "login.html", next=_safe_next(next), failed=True, status=401)
    response = back_to(_safe_next(next))
    set_session_cookie(request, response, done.issued.token)
    return response


@router.post("/logout")
def logout(page: Page) -> Response:
    page.session.execute(delete(WebSession).where(WebSession.user_id == page.user.id,
                                                  WebSession.csrf_token == page.csrf))
    response = back_to("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(page: Page) -> Response:
    for role, path in HOMES:
        if page.user.has_role(role):
            return RedirectResponse(path, status_code=303)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox")
def inbox_page(request: Request, page: Page) -> Response:
    return render(request, "inbox.html", user=page.user, csrf=page.csrf,
                  notices=inbox(page.session, page.user),
                  unread=unread_count(page.session, page.user))


@router.post("/inbox/read")
def inbox_read(page: Page) -> Response:
    mark_read(page.session, page.user)
    return back_to("/inbox")


def _sessions_page(request: Request, page: Page, *, notice: str = "",
                   problems: list[str] | None = None, status: int = 200) -> Response:
    current = page.session.scalar(select(WebSession.token_hash).where(
        WebSession.user_id == page.user.id, WebSession.csrf_token == page.csrf))
    rows = [{"id": s.public_id, "created": office_time(s.created_at),
             "expires": office_time(s.expires_at), "address": s.client_address,
             "agent": s.user_agent, "current": s.token_hash == current}
            for s in sessions_of(page.session, page.user)]
    return render(request, "sessions.html", user=page.user, csrf=page.csrf, sessions=rows,
                  notice=notice, problems=problems or [], status=status)


@router.get("/account/sessions")
def sessions_page(request: Request, page: Page) -> Response:
    return _sessions_page(request, page)


@router.post("/account/sessions/{session_id}/end")
def end_one(session_id: Annotated[str, Path(max_length=64)], page: Page) -> Response:
    if not end_session_by_id(page.session, page.user, session_id):
        raise NotFoundError(f"you have no session {session_id}")
    audit.append(page.session, actor=page.user.email, trigger="end_session",
                 data={"session": session_id})
    return back_to("/account/sessions")


@router.post("/account/logout-everywhere")
def logout_everywhere(page: Page) -> Response:
    ended = end_sessions(page.session, page.user)
    audit.append(page.session, actor=page.user.email, trigger="end_all_sessions",
                 data={"sessions_ended": ended})
    response = back_to("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/account/password")
def change_password(request: Request, page: Page, form: FormData) -> Response:
    if check_password(page.session, page.user.email, text(form, "current_password")) is None:
        return _sessions_page(request, page, problems=[
            "当前密码错误 (the current password is wrong)"], status=422)
    current = page.session.scalar(select(WebSession.token_hash).where(
        WebSession.user_id == page.user.id, WebSession.csrf_token == page.csrf))
    try:
        ended = set_password(page.session, page.user, text(form, "new_password"),
                             keep_session=current)
    except InvalidInputError as refused:
        return _sessions_page(request, page, problems=refused.problems, status=422)
    audit.append(page.session, actor=page.user.email, trigger="change_password",
                 data={"user": page.user.email, "sessions_ended": ended})
    return _sessions_page(request, page, notice=translator(language(request))(
        "Password changed; your other sessions have ended."))


@router.get("/sign-in-locks")
def sign_in_locks(request: Request, page: AdminPage, notice: str = "") -> Response:
    t = translator(language(request))
    colon = "：" if language(request) == "zh" else ": "
    rows = []
    for lock in throttle.locks(page.session):
        kind, value = lock.key.split(":", 1)
        rows.append({"label": f"{t('Account') if kind == 'account' else t('Address')}"
                              f"{colon}{value}", "failures": lock.failures,
                     "until": office_time(lock.locked_until) if lock.locked_until else "",
                     "field": "email" if kind == "account" else "address", "value": value})
    return render(request, "sign_in_locks.html", user=page.user, csrf=page.csrf, locks=rows,
                  notice=t("Unlocked.") if notice else "")


@router.post("/sign-in-locks/unlock")
def unlock_sign_in(page: AdminPage, form: FormData) -> Response:
    throttle.unlock(page.session, page.user.email, email=text(form, "email") or None,
                    address=text(form, "address") or None)
    return back_to("/sign-in-locks?notice=1")


@router.get("/lang/{code}")
def switch_language(code: str, request: Request) -> Response:
    target = _safe_next(request.headers.get("referer", "/").split(request.url.netloc, 1)[-1])
    response = back_to(target)
    if code in LANGUAGES:
        response.set_cookie("lang", code, samesite="lax", max_age=365 * 24 * 3600)
    return response
