"""Server-rendered pages (Jinja2), one module per role; left out of the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from mqa_workflow.web.pages import (
    admin,
    applicant,
    committee,
    common,
    conflicts,
    cycle_setup,
    operator,
    people,
    reviewer,
    shenzhen_outcome,
    shenzhen_review,
)

router = APIRouter(include_in_schema=False)
for module in (common, applicant, reviewer, conflicts, admin, committee, operator):
    router.include_router(module.router)
for module in (cycle_setup, people, shenzhen_outcome):
    router.include_router(module.router)
router.include_router(shenzhen_review.router)
