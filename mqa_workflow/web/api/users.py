"""People and their sign-in (administrators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.service import add_user, get_user, parse_roles
from mqa_workflow.audit import service as audit
from mqa_workflow.web import throttle
from mqa_workflow.web.api.schemas import Id, PasswordBody, UnlockBody, UserBody
from mqa_workflow.web.deps import DB, Admin
from mqa_workflow.web.present import user_json
from mqa_workflow.web.security import set_password

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", summary="Everyone, with their roles")
def list_users(session: DB, _: Admin) -> list[dict[str, Any]]:
    return [user_json(u) for u in session.scalars(select(User).order_by(User.id))]


@router.post("", status_code=201, summary="Add a person (optionally with a password)")
def create_user(body: UserBody, session: DB, _: Admin) -> dict[str, Any]:
    user = add_user(session, name=body.name, email=body.email, roles=parse_roles(body.roles),
                    organization_id=body.organization_id, language=body.language)
    if body.password is not None:
        set_password(session, user, body.password)
    return user_json(user)


@router.put("/{user_id}/password", summary="Set a person's password (ends their sessions)")
def put_password(user_id: Id, body: PasswordBody, session: DB, admin: Admin
                 ) -> dict[str, Any]:
    person = get_user(session, user_id)
    ended = set_password(session, person, body.password)
    audit.append(session, actor=admin.email, trigger="set_password",
                 data={"user": person.email, "sessions_ended": ended})
    return {"detail": "password set", "sessions_ended": ended}


@router.get("/sign-in-locks", summary="Accounts and addresses locked after failed sign-ins")
def sign_in_locks(session: DB, _: Admin) -> list[dict[str, Any]]:
    return [{"key": row.key, "failures": row.failures,
             "locked_until": row.locked_until.isoformat() if row.locked_until else None}
            for row in throttle.locks(session)]


@router.post("/sign-in-locks/unlock", summary="Lift the sign-in lock of an account or address")
def unlock(body: UnlockBody, session: DB, admin: Admin) -> dict[str, Any]:
    cleared = throttle.unlock(session, admin.email, email=body.email, address=body.address)
    return {"detail": "unlocked", "cleared": cleared}
