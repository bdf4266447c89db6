"""The /metrics endpoint behind HTTP basic authentication.

Prometheus scrapes with ``basic_auth``; without the credentials every request gets
401. There is no default password: serving on anything but the loopback address
without credentials is refused (see ``mqa metrics serve``).
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def parse_credentials(value: str) -> tuple[str, str]:
    """``user:password``, both non-empty."""
    user, _, password = value.partition(":")
    if not user or not password:
        raise ValueError("credentials must be written user:password, both non-empty")
    return user, password


def with_basic_auth(app: WSGIApp, credentials: tuple[str, str], realm: str) -> WSGIApp:
    expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        given = environ.get("HTTP_AUTHORIZATION", "")
        if hmac.compare_digest(given.encode(), expected.encode()):
            return app(environ, start_response)
        start_response("401 Unauthorized", [("WWW-Authenticate", f'Basic realm="{realm}"'),
                                            ("Content-Type", "text/plain; charset=utf-8")])
        return [b"sign-in required\n"]

    return guarded


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return  # a scrape every few seconds is not news


def metrics_server(registry: CollectorRegistry, address: str, port: int,
                   credentials: tuple[str, str] | None) -> WSGIServer:
    app: WSGIApp = make_wsgi_app(registry)
    if credentials:
        app = with_basic_auth(app, credentials, "mqa metrics")
    return make_server(address, port, app, server_class=_ThreadingServer,
                       handler_class=_QuietHandler)
