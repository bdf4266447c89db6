"""Sign-in: a session cookie for browsers and the same token as a bearer for scripts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from mqa_workflow.audit import service as audit
from mqa_workflow.errors import NotFoundError
from mqa_workflow.web.api.schemas import ChangePasswordBody, LoginBody
from mqa_workflow.web.api.schemas.accounts import (
    LoginRead,
    MeRead,
    PasswordChangedRead,
    SessionRead,
    SignedOutEverywhereRead,
    UserRead,
)
from mqa_workflow.web.api.schemas.common import DetailRead, refusals
from mqa_workflow.web.deps import DB, SESSION_COOKIE, SignedIn, database_of, signed_in
from mqa_workflow.web.errors import Unauthenticated
from mqa_workflow.web.security import (
    SESSION_LIFETIME,
    check_password,
    end_session_by_id,
    end_sessions,
    sessions_of,
    set_password,
    sign_in,
)

# Every route here answers 401 without a valid session (login: with a wrong password).
router = APIRouter(prefix="/auth", tags=["auth"], responses=refusals(401))
# A cookie session must show its CSRF token on anything but a read (403).
WRITE = refusals(403, 422)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https",
                        max_age=int(SESSION_LIFETIME.total_seconds()))


def client_of(request: Request) -> tuple[str, str]:
    """The client's address (as the proxy reports it) and browser, for the session list
    and the per-address sign-in throttle."""
    address = request.client.host if request.client else ""
    return address, request.headers.get("user-agent", "")


@router.post("/login", summary="Sign in with e-mail and password (429 while throttled)",
             responses=refusals(422, 429))
def login(body: LoginBody, request: Request, response: Response) -> LoginRead:
    address, agent = client_of(request)
    done = sign_in(database_of(request), body.email, body.password, client_address=address,
                   user_agent=agent)
    if done is None:
        raise Unauthenticated("wrong e-mail or password")
    set_session_cookie(request, response, done.issued.token)
    return LoginRead(token=done.issued.token, csrf_token=done.issued.csrf_token,
                     user=UserRead.of(done.user))


@router.post("/logout", summary="End this session", responses=refusals(403))
def logout(session: DB, signed: Annotated[SignedIn, Depends(signed_in)], response: Response
           ) -> DetailRead:
    session.delete(signed.web_session)
    response.delete_cookie(SESSION_COOKIE)
    return DetailRead(detail="signed out")


@router.post("/logout-everywhere", summary="End every session of yours, this one included",
             responses=refusals(403))
def logout_everywhere(session: DB, signed: Annotated[SignedIn, Depends(signed_in)],
                      response: Response) -> SignedOutEverywhereRead:
    ended = end_sessions(session, signed.user)
    audit.append(session, actor=signed.user.email, trigger="end_all_sessions",
                 data={"sessions_ended": ended})
    response.delete_cookie(SESSION_COOKIE)
    return SignedOutEverywhereRead(detail="signed out everywhere", sessions_ended=ended)


@router.get("/sessions", summary="Your sessions (where and when each began)")
def list_sessions(session: DB, signed: Annotated[SignedIn, Depends(signed_in)]
                  ) -> list[SessionRead]:
    return [SessionRead.of(s, signed.web_session) for s in sessions_of(session, signed.user)]


@router.delete("/sessions/{session_id}", summary="End one of your sessions",
               responses=WRITE | refusals(404))
def end_one_session(session_id: Annotated[str, Path(max_length=64)], session: DB,
                    signed: Annotated[SignedIn, Depends(signed_in)]) -> DetailRead:
    if not end_session_by_id(session, signed.user, session_id):
        raise NotFoundError(f"you have no session {session_id}")
    audit.append(session, actor=signed.user.email, trigger="end_session",
                 data={"session": session_id})
    return DetailRead(detail="session ended")


@router.get("/me", summary="Who is signed in")
def me(signed: Annotated[SignedIn, Depends(signed_in)]) -> MeRead:
    return MeRead(**UserRead.of(signed.user).model_dump(),
                  csrf_token=signed.web_session.csrf_token)


@router.post("/password", summary="Change your own password (ends your other sessions)",
             responses=WRITE | refusals(409))
def change_password(body: ChangePasswordBody, session: DB,
                    signed: Annotated[SignedIn, Depends(signed_in)]) -> PasswordChangedRead:
    user = signed.user
    if check_password(session, user.email, body.current_password) is None:
        raise Unauthenticated("the current password is wrong")
    ended = set_password(session, user, body.new_password,
                         keep_session=signed.web_session.token_hash)
    audit.append(session, actor=user.email, trigger="change_password",
                 data={"user": user.email, "sessions_ended": ended})
    return PasswordChangedRead(detail="password changed", other_sessions_ended=ended)
