"""Moving applications through the state machine, one at a time or in bulk."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.states.bulk import advance_all
from mqa_workflow.states.engine import advance
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import BulkBody, Id, TransitionBody
from mqa_workflow.web.api.schemas.applications import (
    ApplicationRead,
    BulkRead,
    StepRead,
    TransitionRead,
)
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.deps import (
    DB,
    AdminSnapshot,
    CurrentUser,
    admin_outside,
    database_of,
    wake_background,
)

router = APIRouter(tags=["transitions"], responses=refusals(401, 403, 404, 409, 422))


@router.post("/applications/{application_id}/transitions",
             summary="Fire a trigger (submit, confirm_eligible …); refusals list every problem",
             response_model_exclude_unset=True)  # the materials only for those who see them
def post_transition(application_id: Id, body: TransitionBody, session: DB, user: CurrentUser
                    ) -> TransitionRead:
    # Only the applicant's own contacts and administrators reach the engine, which then
    # checks the trigger's exact roles and guards.
    access.editable(session, user, application_id)
    step = advance(session, application_id, body.trigger, user, reason=body.reason,
                   data=body.data, expected_version=body.version)
    application = access.readable(session, user, application_id)
    return TransitionRead(transition=StepRead(**asdict(step)),
                          application=ApplicationRead.of(session, user, application))


@router.post("/transitions/bulk",
             summary="Advance every ready application of a cycle (dry run by default)")
def post_bulk(body: BulkBody, request: Request,
              admin: Annotated[AdminSnapshot, Depends(admin_outside)]) -> BulkRead:
    # Each application moves in its own transaction (one refusal never undoes the
    # others), so this view holds no request transaction of its own.
    database = database_of(request)
    with database.session() as session:
        cycle_id = get_cycle(session, body.cycle_id).id
    report = advance_all(database, cycle_id=cycle_id, award_class=body.award_class,
                         trigger=body.trigger, actor_ref=str(admin.user_id), reason=body.reason,
                         dry_run=body.dry_run)
    if not body.dry_run:
        wake_background(request)
    return BulkRead(trigger=report.trigger, dry_run=report.dry_run, moved=report.moved,
                    refused={str(k): v for k, v in report.refused.items()})
