"""Uploads: who may send one is decided before a byte of the body is read.

``UploadGuard`` sits in front of the upload routes. From the headers alone it refuses
a body larger than the limit (413), a visitor without a valid session (401, or the
sign-in page) and a cookie session without its CSRF token (403; the form carries it
in the action's query string, as the body is not read yet). Then it counts the body
as it streams: past the limit the upload is cut off and answered 413. The multipart
parser spools the file part to a temporary file beyond 1 MB, so with the limit the
temporary file is bounded and the body never sits whole in memory.
"""

from __future__ import annotations

import html
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mqa_workflow.applications.service import MAX_DOCUMENT_BYTES
from mqa_workflow.db import Database
from mqa_workflow.web.deps import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE
from mqa_workflow.web.security import find_session, same_secret

UPLOAD_PATH = re.compile(r"^/(api/)?applications/[^/]+/documents/?$")
# The document plus the multipart envelope (boundaries, part headers, the CSRF field).
MAX_UPLOAD_BODY = MAX_DOCUMENT_BYTES + 64 * 1024


class UploadGuard:
    def __init__(self, app: ASGIApp, limit: int = MAX_UPLOAD_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST"
                or not UPLOAD_PATH.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        refusal = await self._not_allowed(scope, headers) or self._too_large(headers)
        if refusal is not None:
            await _answer(scope, send, *refusal)
            return
        await self._counted(scope, receive, send)

    def _too_large(self, headers: dict[str, str]) -> tuple[int, str, dict[str, str]] | None:
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            return 413, _too_large_text(self.limit), {}
        return None

    async def _not_allowed(self, scope: Scope, headers: dict[str, str]
                           ) -> tuple[int, str, dict[str, str]] | None:
        authorization = headers.get("authorization", "")
        bearer = authorization[7:].strip() if authorization.lower().startswith("bearer ") \
            else ""
        cookie = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
        token = bearer or cookie
        database: Database = scope["app"].state.database
        found = await anyio.to_thread.run_sync(_session_csrf, database, token) if token \
            else None
        if found is None:
            return 401, "sign in first (a session cookie or a bearer token)", {}
        if not bearer:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = headers.get(CSRF_HEADER.lower()) or (query.get(CSRF_FIELD) or [""])[0]
            if not same_secret(given, found):
                return 403, ("the form's CSRF token is missing or wrong; reload the page "
                             "and retry"), {}
        return None

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        cut_off = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    cut_off = True
                    return {"type": "http.disconnect"}  # the app stops reading here
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut_off:
                return  # whatever the app answers to the cut body, the answer is 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not cut_off:
                raise
        if cut_off and not started:
            await _answer(scope, send, 413, _too_large_text(self.limit), {})


def _session_csrf(database: Database, token: str) -> str | None:
    """The CSRF token of the live session ``token`` opens, or None."""
    with database.session() as session:
        found = find_session(session, token)
        return found.csrf_token if found else None


def _cookie(header: str, name: str) -> str:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is no session
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


def _too_large_text(limit: int) -> str:
    return (f"the upload is larger than the limit of {limit:,} bytes "
            f"(上传文件超过大小限制)")


async def _answer(scope: Scope, send: Send, status: int, detail: str,
                  headers: dict[str, str]) -> None:
    path = scope["path"]
    if status == 401 and not path.startswith("/api"):
        # A page visitor is sent to sign in, and back to the application afterwards.
        target = path.rsplit("/documents", 1)[0]
        await _send(send, 303, b"", {"location": f"/login?next={quote(target)}"})
        return
    if path.startswith("/api"):
        body = json.dumps({"detail": detail, "problems": []}, ensure_ascii=False).encode()
        kind = "application/json"
    else:
        body = (f"<!doctype html><meta charset=utf-8><title>{status}</title>"
                f"<p>{html.escape(detail)}</p><p><a href=\"javascript:history.back()\">"
                f"返回 Back</a></p>").encode()
        kind = "text/html; charset=utf-8"
    extra = {"www-authenticate": "Bearer"} if status == 401 else {}
    await _send(send, status, body, {"content-type": kind, **extra, **headers,
                                     "connection": "close"})


async def _send(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in
        {**headers, "content-length": str(len(body))}.items()]})
    await send({"type": "http.response.body", "body": body})
