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

router = APIRouter(prefix="/api")
for module in (auth, users, standards, cycles, applicants, applications, documents,
               transitions, reviews, conflicts, committee, reports, notifications, operations):
    router.include_router(module.router)
