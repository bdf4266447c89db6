"""Sign-in data kept beside the accounts: password hashes, browser/API sessions and the
sign-in throttle.

Kept apart from ``accounts.models`` on purpose: a person exists (and receives notices)
whether or not they ever sign in to the web application. These are models, not web code:
``mqa_workflow.models`` (Alembic, tests) imports them without importing the web adapter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mqa_workflow.clock import now
from mqa_workflow.db import Base


class Credential(Base):
    """A person's password, as an argon2id hash (never the password itself)."""

    __tablename__ = "web_credentials"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=now)


class WebSession(Base):
    """A signed-in session: the cookie or bearer token's SHA-256, never the token.

    A stolen database therefore yields no usable token, and signing out deletes
    the row, which ends the session everywhere at once.
    """

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    # What the person sees in their list of sessions, to recognise each one.
    client_address: Mapped[str] = mapped_column(String(64), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")

    @property
    def public_id(self) -> str:
        """A handle for the session in lists and links: a prefix of the token's hash,
        which tells nothing about the token itself."""
        return self.token_hash[:16]


class SignInThrottle(Base):
    """Failed sign-ins counted per account (``account:EMAIL``) or client address
    (``address:IP``), and until when further attempts are refused.

    Kept in the database, so several serving processes share one count.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=now)
    locked_until: Mapped[datetime | None]


class Invitation(Base):
    """A one-time link that lets a person set their first password: the token's SHA-256
    (never the token), when it expires, and when it was used (once, then never again)."""

    __tablename__ = "invitations"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
