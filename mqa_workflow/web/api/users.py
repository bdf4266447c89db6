"""People and their sign-in (administrators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.service import add_user, get_user, parse_roles
from mqa_workflow.web.api.schemas import Id, PasswordBody, UserBody
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


@router.put("/{user_id}/password", summary="Set a person's password")
def put_password(user_id: Id, body: PasswordBody, session: DB, _: Admin) -> dict[str, str]:
    set_password(session, get_user(session, user_id), body.password)
    return {"detail": "password set"}
