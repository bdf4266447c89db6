"""Sign-in, the home page of each role, the inbox and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete

from mqa_workflow.accounts.models import Role
from mqa_workflow.notifications.inbox import inbox, mark_read, unread_count
from mqa_workflow.web.api.auth import client_of, set_session_cookie
from mqa_workflow.web.deps import SESSION_COOKIE, database_of
from mqa_workflow.web.i18n import LANGUAGES
from mqa_workflow.web.models import WebSession
from mqa_workflow.web.pages.deps import Page
from mqa_workflow.web.pages.rendering import back_to, render
from mqa_workflow.web.security import TooManyAttempts, sign_in

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


@router.get("/lang/{code}")
def switch_language(code: str, request: Request) -> Response:
    target = _safe_next(request.headers.get("referer", "/").split(request.url.netloc, 1)[-1])
    response = back_to(target)
    if code in LANGUAGES:
        response.set_cookie("lang", code, samesite="lax", max_age=365 * 24 * 3600)
    return response
