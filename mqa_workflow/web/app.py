"""The application factory: API under ``/api`` (OpenAPI at ``/api/openapi.json``), pages
at ``/``, static files at ``/static``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.web import errors, metrics
from mqa_workflow.web.admission import AdmissionControl
from mqa_workflow.web.api import router as api_router
from mqa_workflow.web.pages import router as pages_router
from mqa_workflow.web.uploads import UploadGuard
from mqa_workflow.worker.dispatch import dispatch_pending
from mqa_workflow.worker.drainer import OutboxDrainer

HERE = Path(__file__).resolve().parent

# Everything the pages load comes from this server: no CDN, no inline script.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP answer that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The drainer also starts on the first commit that queues work (servers run
    # without lifespan events too); here it starts at once and stops cleanly.
    app.state.background.start()
    yield
    app.state.background.stop()


def create_app(database: Database | None = None) -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=lifespan,
        title="mqa-workflow",
        summary="The Shenzhen Mayor Quality Award (深圳市市长质量奖) workflow: the HTTP API.",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.database = database or get_database(settings.database_url)
    # Background work never runs inside a request: requests commit outbox rows and
    # wake this thread (see deps.transaction).
    app.state.background = OutboxDrainer(app.state.database, dispatch_pending,
                                         settings.outbox_poll_seconds)
    errors.install(app)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    metrics.install(app)  # GET /metrics, and every request counted and timed by route

    # Uploads: sign-in, CSRF and size are checked before the body is read.
    app.add_middleware(UploadGuard)
    # So a refused request costs no routing, no body and no connection.
    app.add_middleware(AdmissionControl, max_in_flight=settings.web_max_in_flight,
                       retry_after=settings.web_retry_after)
    # Outermost: every answer carries the headers, the early refusals (503, 401, 413) too.
    app.add_middleware(SecurityHeaders)
    return app

