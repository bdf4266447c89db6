"""``/metrics`` on the web application: HTTP requests counted and timed by route template
and status, plus the operator's figures (queues, outbox, e-mail, overdue work) gathered at
each scrape.

Routes are labelled by their template (``/api/applications/{application_id}``), never by
the raw path, so ids do not multiply the series; a path no route matches is ``<unmatched>``.
Every route's counter exists from the start, at zero, for its usual status.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mqa_workflow.accounts.models import Role
from mqa_workflow.config import get_settings
from mqa_workflow.monitoring.metrics import FiguresCollector
from mqa_workflow.web.deps import Bearer, Cookie, authenticate
from mqa_workflow.web.errors import Unauthenticated
from mqa_workflow.web.security import same_secret

UNMATCHED = "<unmatched>"


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("mqa_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=registry)
        self.duration = Histogram("mqa_http_request_duration_seconds",
                                  "Time to answer an HTTP request", ["method", "route", "status"],
                                  registry=registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route, str(status)).observe(seconds)

    def start_at_zero(self, app: FastAPI) -> None:
        """Each operation of the API (its OpenAPI document) at zero, for its success status."""
        paths = app.openapi()["paths"]
        app.openapi_schema = None  # not cached yet: routes added after this still show in it
        for path, operations in paths.items():
            for method, operation in operations.items():
                status = next((code for code in operation.get("responses", {})
                               if code[:1] in "23"), "200")
                self.requests.labels(method.upper(), path, status)
                self.duration.labels(method.upper(), path, status)


def route_template(scope: Scope) -> str:
    """The matched route's full path template (a mount's path for what it serves).

    FastAPI matches a route of an included router by that router's own path and keeps the
    full one in its effective route context; a route of the application itself is its own
    template; the static mount sets no route at all."""
    fastapi_scope = scope.get("fastapi") or {}
    context = fastapi_scope.get("effective_route_context")
    full = getattr(context, "path_format", "") or getattr(context, "path", "")
    if full:
        return str(full)
    included = getattr(fastapi_scope.get("included_router"), "include_context", None)
    route = scope.get("route")
    if route is not None and included is not None and hasattr(included, "path_for"):
        return str(included.path_for(route))
    if route is not None:
        return str(getattr(route, "path", UNMATCHED))
    path = scope.get("path", "")
    for mount in getattr(scope.get("app"), "routes", ()):
        if isinstance(mount, Mount) and path.startswith(mount.path + "/"):
            return mount.path
    return UNMATCHED


class MetricsMiddleware:
    """Pure ASGI (no response buffering): times the request, labels it once it is routed."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe(scope["method"], route_template(scope), status,
                                 time.perf_counter() - started)


def install(app: FastAPI) -> None:
    """Count and time every request, and serve ``GET /metrics`` (call after the routes)."""
    registry = CollectorRegistry(auto_describe=False)
    metrics = HttpMetrics(registry)
    registry.register(FiguresCollector(app.state.database))

    # Plain def: FastAPI runs it in its thread pool, so a slow scrape (the workers' ping
    # waits up to a second) never holds the event loop.
    @app.get("/metrics", include_in_schema=False)
    def scrape(request: Request, bearer: Bearer, cookie: Cookie) -> Response:
        refusal = _refusal(request, bearer, cookie)
        if refusal is not None:
            return refusal
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    metrics.start_at_zero(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)


def _refusal(request: Request, bearer: HTTPAuthorizationCredentials | None,
             cookie: str | None) -> Response | None:
    """None for the scrape token (MQA_METRICS_TOKEN) or a signed-in operator or
    administrator; else a plain 401/403 a scraper can read (no sign-in page redirect)."""
    token = get_settings().metrics_token
    if token and bearer and same_secret(bearer.credentials, token):
        return None
    with request.app.state.database.session() as session:
        try:
            signed = authenticate(session, request, bearer, cookie, None)
        except Unauthenticated as error:
            return PlainTextResponse(f"{error.message}, or the scrape token", status_code=401,
                                     headers={"WWW-Authenticate": "Bearer"})
        if signed.user.has_role(Role.OPERATOR) or signed.user.has_role(Role.ADMINISTRATOR):
            return None
        return PlainTextResponse(f"{signed.user.email} may not read the metrics: it needs the "
                                 "role operator or administrator (or the scrape token)",
                                 status_code=403)
