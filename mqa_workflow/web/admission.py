"""Admission control: at most N requests in flight; beyond, 503 with Retry-After at once.

Every request that reaches the database holds a pooled connection. Admitting more
requests than the pool has connections only queues them on the pool (threads waiting
for connections held by requests waiting for threads) until its timeout, and then
they fail; refusing the excess at once keeps the admitted ones fast and tells the
client when to come back. Static files need no connection and are never refused.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT_PREFIXES = ("/static/",)


class AdmissionControl:
    """A pure ASGI middleware counting requests in flight in this process.

    The counter needs no lock: the event loop runs one coroutine step at a time, and
    the count only changes between awaits.
    """

    def __init__(self, app: ASGIApp, max_in_flight: int, retry_after: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = retry_after
        self.in_flight = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            self.refused += 1
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = "the server is busy; retry in a moment (服务器繁忙，请稍后重试)"
        if scope["path"].startswith("/api"):
            payload = json.dumps({"detail": detail, "problems": []}, ensure_ascii=False)
            kind = b"application/json"
        else:
            payload = (f"<!doctype html><meta charset=utf-8><title>503</title>"
                       f"<p>服务器繁忙，请 {self.retry_after} 秒后重试。</p>"
                       f"<p>The server is busy; retry in {self.retry_after} s.</p>")
            kind = b"text/html; charset=utf-8"
        data = payload.encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", kind), (b"content-length", str(len(data)).encode()),
            (b"retry-after", str(self.retry_after).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": data})
