"""How refusals reach the client: JSON ``{"detail", "problems"}`` with the right 4xx.

API paths (``/api/…``) always answer JSON; pages answer an HTML page (or, for a
visitor who is not signed in, a redirect to the sign-in page). Malformed input is a
4xx, never a 500: FastAPI's validation errors, numbers the database cannot hold
and values it refuses are all mapped here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from mqa_workflow.config import get_settings
from mqa_workflow.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    TransitionRefusedError,
)
from mqa_workflow.translations.message import Message, explained, refusal, render
from mqa_workflow.web.security import TooManyAttempts
from mqa_workflow.web.validation import problem


class Unauthenticated(Exception):
    """No valid session or token (401); pages send the visitor to sign in."""

    def __init__(self, message: str | None = None) -> None:
        message = message or refusal("sign in first (a session cookie or a bearer token)")
        self.message = message
        super().__init__(message)


# Signed in, but this role or relation may not do it (403): the domain's own refusal,
# raised alike by the web and the command line (mqa_workflow/permissions.py).
Forbidden = ForbiddenError


class CsrfRefused(Forbidden):
    def __init__(self) -> None:
        super().__init__(refusal(
            "the form's CSRF token is missing or wrong; reload the page and retry"))


STATUS: dict[type[DomainError], int] = {
    NotFoundError: 404,
    ForbiddenError: 403,
    InvalidInputError: 422,
    ConflictError: 409,
    # A transition that does not apply now is a conflict with the application's state;
    # the problems list every unmet condition.
    TransitionRefusedError: 409,
}


def status_of(error: DomainError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def body(detail: str, problems: list[str] | None = None, lang: str | None = None
         ) -> dict[str, Any]:
    """The English ``detail`` and ``problems`` every client reads; when they are refusals,
    also ``localized``: each in ``lang`` with its msgid and params."""
    answer: dict[str, Any] = {"detail": detail, "problems": problems or []}
    if lang and any(isinstance(m, Message) for m in [detail, *answer["problems"]]):
        answer["localized"] = {"lang": lang, "detail": _localized(detail, lang),
                               "problems": [_localized(p, lang) for p in answer["problems"]]}
    return answer


def _localized(message: str, lang: str) -> dict[str, Any]:
    return {"text": render(message, lang), **(explained(message) or {"msgid": None,
                                                                    "params": {}})}


def reader_language(request: Request) -> str:
    """The reader's language: the ``lang`` cookie (Chinese first); an API client without
    the cookie may ask for English with Accept-Language (a page never follows the
    browser's header: the pages are Chinese unless the visitor picks English)."""
    from mqa_workflow.web.pages.rendering import language

    if is_api(request) and "lang" not in request.cookies and request.headers.get(
            "accept-language", "").lower().startswith("en"):
        return "en"
    return language(request)


def _answer(request: Request, status: int, detail: str, problems: list[str]) -> Response:
    lang = reader_language(request)
    if is_api(request):
        return JSONResponse(body(detail, problems, lang), status_code=status)
    from mqa_workflow.web.pages.rendering import render_error

    return render_error(request, status, render(detail, lang),
                        [render(p, lang) for p in problems])


def _unavailable(request: Request, detail: str) -> Response:
    response = _answer(request, 503, detail, [])
    response.headers["Retry-After"] = str(get_settings().web_retry_after)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain(request: Request, error: DomainError) -> Response:
        return _answer(request, status_of(error), error.message, error.problems)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, error: Unauthenticated) -> Response:
        if is_api(request):
            return JSONResponse(body(error.message), status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> Response:
        return _answer(request, 403, error.message, [])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [problem(e) for e in error.errors()]
        return _answer(request, 422, refusal("the request is malformed"), problems)

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, error: StarletteHTTPException) -> Response:
        return _answer(request, error.status_code, str(error.detail), [])

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, error: StaleDataError) -> Response:
        # Optimistic locking: someone else changed the record between our read and write.
        return _answer(request, 409, refusal("someone else changed this record at the same "
                                             "time; reload and try again"), [])

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, error: IntegrityError) -> Response:
        return _answer(request, 409, refusal("the change conflicts with data already stored"),
                       [])

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, error: OverflowError) -> Response:
        # SQLite's driver refuses integers past 64 bits before SQLAlchemy sees them
        return _answer(request, 422, refusal("a number is too large"), [])

    @app.exception_handler(TooManyAttempts)
    async def throttled(request: Request, error: TooManyAttempts) -> Response:
        response = _answer(request, 429, error.message, [])
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, error: PoolTimeout) -> Response:
        # Admission control keeps requests within the pool; this is the last guard.
        return _unavailable(request, refusal("the server is busy; retry in a moment"))

    @app.exception_handler(OperationalError)
    async def database_away(request: Request, error: OperationalError) -> Response:
        # A lost connection or a database refusing sessions: the unit of work rolled
        # back whole, the pool replaces the connection, and a retry can succeed.
        return _unavailable(request, refusal("the database is unavailable for a moment; "
                                             "nothing was changed, retry shortly"))

    @app.exception_handler(StatementError)
    async def statement(request: Request, error: StatementError) -> Response:
        # e.g. an id too large for the column, or text the database refuses (NUL bytes)
        if isinstance(error, DataError) or isinstance(error.orig, (OverflowError, ValueError)):
            return _answer(request, 422, refusal("a value is out of range or not storable"), [])
        raise error
