"""The application factory: API under ``/api`` (OpenAPI at ``/api/openapi.json``), pages
at ``/``, static files at ``/static``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from mqa_workflow.monitoring import http as metrics
from mqa_workflow.web import errors
from mqa_workflow.web.api import router as api_router
from mqa_workflow.web.pages import router as pages_router

HERE = Path(__file__).resolve().parent

# Everything the pages load comes from this server: no CDN, no inline script.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


def create_app(database: Database | None = None) -> FastAPI:
    app = FastAPI(
        title="mqa-workflow",
        summary="The Shenzhen Mayor Quality Award (深圳市市长质量奖) workflow: the HTTP API.",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.database = database or get_database(get_settings().database_url)
    errors.install(app)
    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    metrics.install(app)  # GET /metrics, and every request counted and timed by route

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
