"""Sign-in: a session cookie for browsers and the same token as a bearer for scripts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from mqa_workflow.accounts.sign_in import WebSession
from mqa_workflow.audit import service as audit
from mqa_workflow.errors import NotFoundError
from mqa_workflow.web.api.schemas import ChangePasswordBody, LoginBody
from mqa_workflow.web.deps import DB, SESSION_COOKIE, SignedIn, database_of, signed_in
from mqa_workflow.web.errors import Unauthenticated
from mqa_workflow.web.present import user_json
from mqa_workflow.web.security import (
    SESSION_LIFETIME,
    check_password,
    end_session_by_id,
    end_sessions,
    sessions_of,
    set_password,
    sign_in,
)

router = APIRouter(prefix="/auth", tags=["auth"])


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https",
                        max_age=int(SESSION_LIFETIME.total_seconds()))


def client_of(request: Request) -> tuple[str, str]:
    """The client's address (as the proxy reports it) and browser, for the session list
    and the per-address sign-in throttle."""
    address = request.client.host if request.client else ""
    return address, request.headers.get("user-agent", "")


@router.post("/login", summary="Sign in with e-mail and password (429 while throttled)")
def login(body: LoginBody, request: Request, response: Response) -> dict[str, Any]:
    address, agent = client_of(request)
    done = sign_in(database_of(request), body.email, body.password, client_address=address,
                   user_agent=agent)
    if done is None:
        raise Unauthenticated("wrong e-mail or password")
    set_session_cookie(request, response, done.issued.token)
    return {"token": done.issued.token, "csrf_token": done.issued.csrf_token,
            "user": user_json(done.user)}


@router.post("/logout", summary="End this session")
def logout(session: DB, signed: Annotated[SignedIn, Depends(signed_in)], response: Response
           ) -> dict[str, str]:
    session.delete(signed.web_session)
    response.delete_cookie(SESSION_COOKIE)
    return {"detail": "signed out"}


@router.post("/logout-everywhere", summary="End every session of yours, this one included")
def logout_everywhere(session: DB, signed: Annotated[SignedIn, Depends(signed_in)],
                      response: Response) -> dict[str, Any]:
    ended = end_sessions(session, signed.user)
    audit.append(session, actor=signed.user.email, trigger="end_all_sessions",
                 data={"sessions_ended": ended})
    response.delete_cookie(SESSION_COOKIE)
    return {"detail": "signed out everywhere", "sessions_ended": ended}


def session_json(web_session: WebSession, current: WebSession) -> dict[str, Any]:
    return {"id": web_session.public_id, "created_at": web_session.created_at.isoformat(),
            "expires_at": web_session.expires_at.isoformat(),
            "client_address": web_session.client_address,
            "user_agent": web_session.user_agent,
            "current": web_session.token_hash == current.token_hash}


@router.get("/sessions", summary="Your sessions (where and when each began)")
def list_sessions(session: DB, signed: Annotated[SignedIn, Depends(signed_in)]
                  ) -> list[dict[str, Any]]:
    return [session_json(s, signed.web_session) for s in sessions_of(session, signed.user)]


@router.delete("/sessions/{session_id}", summary="End one of your sessions")
def end_one_session(session_id: Annotated[str, Path(max_length=64)], session: DB,
                    signed: Annotated[SignedIn, Depends(signed_in)]) -> dict[str, str]:
    if not end_session_by_id(session, signed.user, session_id):
        raise NotFoundError(f"you have no session {session_id}")
    audit.append(session, actor=signed.user.email, trigger="end_session",
                 data={"session": session_id})
    return {"detail": "session ended"}


@router.get("/me", summary="Who is signed in")
def me(signed: Annotated[SignedIn, Depends(signed_in)]) -> dict[str, Any]:
    return user_json(signed.user) | {"csrf_token": signed.web_session.csrf_token}


@router.post("/password", summary="Change your own password (ends your other sessions)")
def change_password(body: ChangePasswordBody, session: DB,
                    signed: Annotated[SignedIn, Depends(signed_in)]) -> dict[str, Any]:
    user = signed.user
    if check_password(session, user.email, body.current_password) is None:
        raise Unauthenticated("the current password is wrong")
    ended = set_password(session, user, body.new_password,
                         keep_session=signed.web_session.token_hash)
    audit.append(session, actor=user.email, trigger="change_password",
                 data={"user": user.email, "sessions_ended": ended})
    return {"detail": "password changed", "other_sessions_ended": ended}
