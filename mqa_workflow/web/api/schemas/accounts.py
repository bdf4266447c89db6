"""People, their sign-in sessions and the sign-in locks, as the API shows them."""

from __future__ import annotations

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.sign_in import SignInThrottle, WebSession
from mqa_workflow.web.api.schemas.common import Moment, Read, when


class UserRead(Read):
    id: int
    name: str
    email: str
    roles: list[str]
    organization_id: int | None
    language: str

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(id=user.id, name=user.name, email=user.email, roles=list(user.roles),
                   organization_id=user.organization_id, language=user.language)


class MeRead(UserRead):
    csrf_token: str


class LoginRead(Read):
    token: str
    csrf_token: str
    user: UserRead


class SessionRead(Read):
    id: str
    created_at: Moment
    expires_at: Moment
    client_address: str
    user_agent: str
    current: bool

    @classmethod
    def of(cls, web_session: WebSession, current: WebSession) -> SessionRead:
        return cls(id=web_session.public_id, created_at=web_session.created_at.isoformat(),
                   expires_at=web_session.expires_at.isoformat(),
                   client_address=web_session.client_address,
                   user_agent=web_session.user_agent,
                   current=web_session.token_hash == current.token_hash)


class SignedOutEverywhereRead(Read):
    detail: str
    sessions_ended: int


class PasswordChangedRead(Read):
    detail: str
    other_sessions_ended: int


class PasswordSetRead(Read):
    detail: str
    sessions_ended: int


class SignInLockRead(Read):
    key: str
    failures: int
    locked_until: Moment | None

    @classmethod
    def of(cls, row: SignInThrottle) -> SignInLockRead:
        return cls(key=row.key, failures=row.failures, locked_until=when(row.locked_until))


class UnlockedRead(Read):
    detail: str
    cleared: int
