"""Invitations: a one-time link by which a new person sets their own password.

The link carries a random token; only its SHA-256 is stored (a stolen database yields no
usable link). A link works once, until it expires; a new invitation of the same person
withdraws their earlier unused ones, so only the latest link works.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.accounts.sign_in import Invitation
from mqa_workflow.clock import now
from mqa_workflow.errors import NotFoundError

INVITATION_LIFETIME = timedelta(days=7)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, person: User, *, created_by: str) -> tuple[str, Invitation]:
    """A new link for ``person``: the token (shown once, never stored) and its record."""
    session.execute(delete(Invitation).where(Invitation.user_id == person.id,
                                             Invitation.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(token_hash=_digest(token), user_id=person.id,
                            created_by=created_by, expires_at=now() + INVITATION_LIFETIME)
    session.add(invitation)
    session.flush()
    return token, invitation


def open_invitation(session: Session, token: str) -> tuple[Invitation, User]:
    """The unused, unexpired invitation of this token and its person; one refusal for an
    unknown, used or expired link, so a guess learns nothing."""
    invitation = session.get(Invitation, _digest(token)) if token else None
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now():
        raise NotFoundError("this invitation link is not valid: it was used, it expired or "
                            "it is wrong (邀请链接无效)")
    person = session.get(User, invitation.user_id)
    assert person is not None  # the invitation goes with its person (ON DELETE CASCADE)
    return invitation, person


def use_invitation(session: Session, invitation: Invitation) -> None:
    invitation.used_at = now()
    session.flush()


def pending_invitations(session: Session) -> dict[int, Invitation]:
    """Each person's open invitation (unused, not expired), by user id."""
    return {i.user_id: i for i in session.scalars(select(Invitation).where(
        Invitation.used_at.is_(None), Invitation.expires_at > now()))}
