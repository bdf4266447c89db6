"""Sign-in: a session cookie for browsers and the same token as a bearer for scripts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from mqa_workflow.web.api.schemas import ChangePasswordBody, LoginBody
from mqa_workflow.web.deps import DB, SESSION_COOKIE, CurrentUser, SignedIn, signed_in
from mqa_workflow.web.errors import Unauthenticated
from mqa_workflow.web.present import user_json
from mqa_workflow.web.security import (
    SESSION_LIFETIME,
    check_password,
    open_session,
    set_password,
)

router = APIRouter(prefix="/auth", tags=["auth"])


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https",
                        max_age=int(SESSION_LIFETIME.total_seconds()))


@router.post("/login", summary="Sign in with e-mail and password")
def login(body: LoginBody, session: DB, request: Request, response: Response
          ) -> dict[str, Any]:
    user = check_password(session, body.email, body.password)
    if user is None:
        raise Unauthenticated("wrong e-mail or password")
    issued = open_session(session, user)
    set_session_cookie(request, response, issued.token)
    return {"token": issued.token, "csrf_token": issued.csrf_token, "user": user_json(user)}


@router.post("/logout", summary="End this session everywhere")
def logout(session: DB, signed: Annotated[SignedIn, Depends(signed_in)], response: Response
           ) -> dict[str, str]:
    session.delete(signed.web_session)
    response.delete_cookie(SESSION_COOKIE)
    return {"detail": "signed out"}


@router.get("/me", summary="Who is signed in")
def me(signed: Annotated[SignedIn, Depends(signed_in)]) -> dict[str, Any]:
    return user_json(signed.user) | {"csrf_token": signed.web_session.csrf_token}


@router.post("/password", summary="Change your own password")
def change_password(body: ChangePasswordBody, session: DB, user: CurrentUser
                    ) -> dict[str, str]:
    if check_password(session, user.email, body.current_password) is None:
        raise Unauthenticated("the current password is wrong")
    set_password(session, user, body.new_password)
    return {"detail": "password changed"}
