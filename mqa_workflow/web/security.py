"""Passwords (argon2id) and sessions (random tokens stored as their SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.passwords import password_problems
from mqa_workflow.accounts.sign_in import Credential, WebSession
from mqa_workflow.clock import now
from mqa_workflow.db import Database
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.web import throttle

SESSION_LIFETIME = timedelta(hours=12)
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a
# wrong password and sign-in timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def set_password(session: Session, user: User, password: str, *,
                 keep_session: str | None = None) -> int:
    """Set ``user``'s password if the policy allows it, and end every session of theirs
    but ``keep_session`` (a token hash: the one the person changes it from).

    A changed password is how a person throws out whoever learned the old one, so
    that someone's sessions must end too. Returns how many sessions were ended.
    """
    problems = password_problems(password, user.email)
    if problems:
        raise InvalidInputError("the password is not accepted (密码不符合要求)", problems)
    credential = session.get(Credential, user.id) or Credential(user_id=user.id)
    credential.password_hash = _hasher.hash(password)
    credential.updated_at = now()
    session.add(credential)
    session.flush()
    return end_sessions(session, user, keep=keep_session)


def check_password(session: Session, email: str, password: str) -> User | None:
    """The user whose e-mail and password these are, or None (never says which was wrong)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    credential = session.get(Credential, user.id) if user else None
    try:
        _hasher.verify(credential.password_hash if credential else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if credential is None or user is None:
        return None
    if _hasher.check_needs_rehash(credential.password_hash):
        credential.password_hash = _hasher.hash(password)
    return user


@dataclass(frozen=True)
class IssuedSession:
    token: str
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, *, client_address: str = "",
                 user_agent: str = "") -> IssuedSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.execute(delete(WebSession).where(WebSession.expires_at < now()))
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, csrf_token=csrf,
                           expires_at=now() + SESSION_LIFETIME,
                           client_address=client_address[:64], user_agent=user_agent[:200]))
    session.flush()
    return IssuedSession(token, csrf)


def sessions_of(session: Session, user: User) -> list[WebSession]:
    """A person's live sessions, newest first."""
    return list(session.scalars(select(WebSession).where(
        WebSession.user_id == user.id, WebSession.expires_at >= now()
    ).order_by(WebSession.created_at.desc())))


def end_sessions(session: Session, user: User, *, keep: str | None = None) -> int:
    """End every session of ``user`` except the one whose token hash is ``keep``."""
    query = delete(WebSession).where(WebSession.user_id == user.id)
    if keep is not None:
        query = query.where(WebSession.token_hash != keep)
    return session.execute(query).rowcount or 0


def end_session_by_id(session: Session, user: User, public_id: str) -> bool:
    """End one of ``user``'s own sessions, named by its public id (False: none such)."""
    mine = [s for s in sessions_of(session, user) if s.public_id == public_id]
    for found in mine:
        session.delete(found)
    session.flush()
    return bool(mine)


def find_session(session: Session, token: str) -> WebSession | None:
    found = session.get(WebSession, _digest(token)) if token else None
    if found is None or found.expires_at < now():
        return None
    return found


def find_signed_in(session: Session, token: str) -> tuple[WebSession, User] | None:
    """The live session ``token`` opens and its person, from one query.

    Every signed-in request asks this first, so it costs one round trip, not one for
    the session and another for the person.
    """
    if not token:
        return None
    found = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(token), WebSession.expires_at >= now())
    ).one_or_none()
    return None if found is None else (found[0], found[1])


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def same_secret(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(str(given), expected)


class TooManyAttempts(Exception):
    """Sign-in refused for a while after repeated failures (429 with Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        self.message = (f"too many failed sign-ins; try again in {self.retry_after} s "
                        f"(登录失败次数过多，请 {self.retry_after} 秒后再试)")
        super().__init__(self.message)


@dataclass(frozen=True)
class SignedInNow:
    user: User
    issued: IssuedSession


def sign_in(database: Database, email: str, password: str, *, client_address: str = "",
            user_agent: str = "") -> SignedInNow | None:
    """Check a sign-in under the throttle; a new session, or None for a wrong password.

    Runs its own transactions (not the request's): the failure must be counted even
    though the request is refused, and on SQLite a second open transaction would wait
    for the first one's write lock.
    """
    wait = throttle.begin_attempt(database, email, client_address)
    if wait:
        raise TooManyAttempts(wait)
    with database.session() as session:
        user = check_password(session, email, password)
        if user is not None:
            throttle.record_success(session, email)
            return SignedInNow(user, open_session(session, user, client_address=client_address,
                                                  user_agent=user_agent))
    throttle.record_failure(database, client_address)
    return None
