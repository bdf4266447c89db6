"""The OpenAPI document built once per test process, not once per application.

Every ``create_app`` builds the whole OpenAPI document (``metrics.start_at_zero`` reads
it to show each operation at zero), about a second of pydantic schema work on an idle
machine and many on a busy one, and the tests create an application in almost every
web test. The document depends only on the application's metadata and its routes,
which are the same module-level routers in every application of a run; so it is built
for the first application and a copy handed to each later one with the same routes.
A test that builds an application with other routes gets a document of its own.
"""

from __future__ import annotations

import copy
from typing import Any

import fastapi.applications
from fastapi.routing import APIRoute

_build = fastapi.applications.get_openapi
_built: dict[tuple[object, ...], dict[str, Any]] = {}


def _route_key(route: Any) -> tuple[object, ...]:
    included = getattr(route, "original_router", None)
    if included is not None:  # an included router, with the prefix and tags it got
        # All of how it was included but the application it was included in (whose
        # dependency overrides apply when a request is served, not to the document).
        context = {name: value for name, value in vars(route.include_context).items()
                   if name != "dependency_overrides_provider"}
        return ("router", id(included), included._get_routes_version(), repr(context))
    if isinstance(route, APIRoute) and route.include_in_schema:
        return ("api", route.path, tuple(sorted(route.methods)), id(route.endpoint))
    return ("other", type(route).__name__, getattr(route, "path", ""))


def _cached(**options: Any) -> dict[str, Any]:
    key = tuple((name, tuple(map(_route_key, value)) if name in ("routes", "webhooks")
                 else repr(value)) for name, value in sorted(options.items()))
    if key not in _built:
        _built[key] = _build(**options)
    return copy.deepcopy(_built[key])


def build_openapi_once() -> None:
    """Make FastAPI's schema builder remember its document (see the module's docstring)."""
    fastapi.applications.get_openapi = _cached
