"""People and their sign-in (administrators)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.service import add_user, get_user, parse_roles
from mqa_workflow.audit import service as audit
from mqa_workflow.web import throttle
from mqa_workflow.web.api.schemas import Id, PasswordBody, UnlockBody, UserBody
from mqa_workflow.web.api.schemas.accounts import (
    PasswordSetRead,
    SignInLockRead,
    UnlockedRead,
    UserRead,
)
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.deps import DB, Admin
from mqa_workflow.web.security import set_password

# Administrators only: 401 without a session, 403 for everyone else.
router = APIRouter(prefix="/users", tags=["users"], responses=refusals(401, 403))


@router.get("", summary="Everyone, with their roles")
def list_users(session: DB, _: Admin) -> list[UserRead]:
    return [UserRead.of(u) for u in session.scalars(select(User).order_by(User.id))]


@router.post("", status_code=201, summary="Add a person (optionally with a password)",
             responses=refusals(404, 409, 422))
def create_user(body: UserBody, session: DB, _: Admin) -> UserRead:
    user = add_user(session, name=body.name, email=body.email, roles=parse_roles(body.roles),
                    organization_id=body.organization_id, language=body.language)
    if body.password is not None:
        set_password(session, user, body.password)
    return UserRead.of(user)


@router.put("/{user_id}/password", summary="Set a person's password (ends their sessions)",
            responses=refusals(404, 409, 422))
def put_password(user_id: Id, body: PasswordBody, session: DB, admin: Admin
                 ) -> PasswordSetRead:
    person = get_user(session, user_id)
    ended = set_password(session, person, body.password)
    audit.append(session, actor=admin.email, trigger="set_password",
                 data={"user": person.email, "sessions_ended": ended})
    return PasswordSetRead(detail="password set", sessions_ended=ended)


@router.get("/sign-in-locks", summary="Accounts and addresses locked after failed sign-ins")
def sign_in_locks(session: DB, _: Admin) -> list[SignInLockRead]:
    return [SignInLockRead.of(row) for row in throttle.locks(session)]


@router.post("/sign-in-locks/unlock", summary="Lift the sign-in lock of an account or address",
             responses=refusals(409, 422))
def unlock(body: UnlockBody, session: DB, admin: Admin) -> UnlockedRead:
    cleared = throttle.unlock(session, admin.email, email=body.email, address=body.address)
    return UnlockedRead(detail="unlocked", cleared=cleared)
