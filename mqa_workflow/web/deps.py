"""Request dependencies: one transaction per request, who is signed in, CSRF, roles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import require_role
from mqa_workflow.accounts.sign_in import WebSession
from mqa_workflow.db import Database
from mqa_workflow.outbox.service import queued_in
from mqa_workflow.web.errors import CsrfRefused, Unauthenticated
from mqa_workflow.web.security import find_signed_in, same_secret

SESSION_COOKIE = "mqa_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(auto_error=False, description="Token from POST /api/auth/login.")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                             description="Browser session; unsafe requests need X-CSRF-Token.")


def database_of(request: Request) -> Database:
    return request.app.state.database


def wake_background(request: Request) -> None:
    """Tell the server's outbox drainer that committed work may be waiting.

    The work itself runs in the drainer's thread, never in the request: a request
    answers as soon as its transaction (with its outbox rows) has committed.
    """
    request.app.state.background.wake()


def transaction(request: Request) -> Iterator[Session]:
    """The request's one unit of work; after its commit, wake the background drainer
    if the request queued outbox work (otherwise there is nothing for it to do).

    Function-scoped (see ``DB``), so the commit happens before the response is sent and
    a failed commit is answered as an error instead of after a 200.
    """
    with database_of(request).session() as session:
        yield session
    if queued_in(session):
        wake_background(request)


DB = Annotated[Session, Depends(transaction, scope="function")]


async def csrf_candidate(request: Request) -> str | None:
    """The CSRF token a request carries: the header (API), or the form field (pages)."""
    header = request.headers.get(CSRF_HEADER)
    if header or request.method in SAFE_METHODS:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


@dataclass
class SignedIn:
    user: User
    web_session: WebSession
    by_cookie: bool


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
Cookie = Annotated[str | None, Depends(cookie_scheme)]
Csrf = Annotated[str | None, Depends(csrf_candidate)]


def authenticate(session: Session, request: Request, bearer: HTTPAuthorizationCredentials | None,
                 cookie: str | None, csrf: str | None) -> SignedIn:
    token = bearer.credentials if bearer else cookie
    signed = find_signed_in(session, token) if token else None
    if signed is None:
        raise Unauthenticated()
    found, user = signed
    # A bearer token is never sent by a browser on its own, so only cookie-carried
    # sessions can be ridden by another site's form: those must show the CSRF token.
    by_cookie = bearer is None
    if by_cookie and request.method not in SAFE_METHODS and not same_secret(
            csrf, found.csrf_token):
        raise CsrfRefused()
    return SignedIn(user, found, by_cookie)


def signed_in(request: Request, session: DB, bearer: Bearer, cookie: Cookie, csrf: Csrf
              ) -> SignedIn:
    return authenticate(session, request, bearer, cookie, csrf)


@dataclass(frozen=True)
class AdminSnapshot:
    user_id: int
    csrf_token: str


def admin_outside(request: Request, bearer: Bearer, cookie: Cookie, csrf: Csrf
                  ) -> AdminSnapshot:
    """An administrator, checked in a transaction of its own that ends at once.

    For views that run many transactions themselves (bulk advance): on SQLite every
    transaction takes the write lock, so the request must not hold one meanwhile.
    """
    with database_of(request).session() as session:
        signed = authenticate(session, request, bearer, cookie, csrf)
        require_role(signed.user, Role.ADMINISTRATOR)
        return AdminSnapshot(signed.user.id, signed.web_session.csrf_token)


# Pure checks on what ``signed_in`` loaded are ``async``: FastAPI runs them on the event
# loop instead of handing each to the thread pool (two thread hops less per request).
async def current_user(signed: Annotated[SignedIn, Depends(signed_in)]) -> User:
    return signed.user


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting only people with one of ``roles`` (the pages' ``page_for``
    is the same idiom; both refuse with permissions.require_role)."""

    async def check(user: CurrentUser) -> User:
        return require_role(user, *roles)

    return check


Admin = Annotated[User, Depends(require(Role.ADMINISTRATOR))]
Operator = Annotated[User, Depends(require(Role.OPERATOR, Role.ADMINISTRATOR))]
Reviewer = Annotated[User, Depends(require(Role.REVIEWER))]
CommitteeMember = Annotated[User, Depends(require(Role.COMMITTEE_MEMBER))]
AdminOrCommittee = Annotated[User, Depends(require(Role.ADMINISTRATOR, Role.COMMITTEE_MEMBER))]
