"""The HTTP API, one router per domain, all under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from mqa_workflow.web.api import (
    applicants,
    applications,
    auth,
    committee,
    conflicts,
    cycles,
    documents,
    notifications,
    operations,
    reports,
    reviews,
    standards,
    transitions,
    users,
)
from mqa_workflow.web.api.schemas.common import refusals

# Any request may meet a full server (admission control) or a database away for a moment.
router = APIRouter(prefix="/api", responses=refusals(503))
for module in (auth, users, standards, cycles, applicants, applications, documents,
               transitions, reviews, conflicts, committee, reports, notifications, operations):
    router.include_router(module.router)
