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
from mqa_workflow.clock import now
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.web.models import Credential, WebSession

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a
# wrong password and sign-in timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    credential = session.get(Credential, user.id) or Credential(user_id=user.id)
    credential.password_hash = _hasher.hash(password)
    credential.updated_at = now()
    session.add(credential)
    session.flush()


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


def open_session(session: Session, user: User) -> IssuedSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.execute(delete(WebSession).where(WebSession.expires_at < now()))
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, csrf_token=csrf,
                           expires_at=now() + SESSION_LIFETIME))
    session.flush()
    return IssuedSession(token, csrf)


def find_session(session: Session, token: str) -> WebSession | None:
    found = session.get(WebSession, _digest(token)) if token else None
    if found is None or found.expires_at < now():
        return None
    return found


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def same_secret(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(str(given), expected)
