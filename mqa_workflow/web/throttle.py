"""Sign-in throttling: failed attempts counted per account and per client address.

After ``free`` failures in a row a key is locked, first for ``base`` seconds, then
twice as long after each further failure (at most ``cap``); while locked, sign-in is
refused with 429 and ``Retry-After`` before the password is even checked, so a
guesser learns nothing, the right password included. An account's attempts are
counted before the password is checked and a success clears the count; an address
counts its failures; counts lapse after ``forget`` without one. Counts are written
in transactions of their own, so the refused request's rollback keeps them, and the
state lives in the database, shared by every serving process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mqa_workflow.accounts.sign_in import SignInThrottle
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import now
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database
from mqa_workflow.errors import InvalidInputError


@dataclass(frozen=True)
class Policy:
    free: int          # failures allowed before the first lock
    base: timedelta    # the first lock
    cap: timedelta     # the longest lock
    forget: timedelta  # a count with no failure for this long starts again


def policies() -> dict[str, Policy]:
    settings = get_settings()
    base = timedelta(seconds=settings.sign_in_lock_seconds)
    cap, forget = timedelta(hours=1), timedelta(hours=1)
    return {"account": Policy(settings.sign_in_account_failures, base, cap, forget),
            "address": Policy(settings.sign_in_address_failures, base, cap, forget)}


def account_key(email: str) -> str:
    return f"account:{email.strip().lower()[:320]}"


def address_key(address: str) -> str:
    return f"address:{address.strip()[:64]}"


def keys_for(email: str, address: str) -> list[str]:
    return [account_key(email)] + ([address_key(address)] if address else [])


def _policy(key: str) -> Policy:
    return policies()[key.split(":", 1)[0]]


def locked_for(session: Session, email: str, address: str,
               keys: list[str] | None = None) -> int:
    """Seconds until sign-in for this account from this address is allowed (0: now);
    ``keys`` narrows the look to some of the two."""
    moment = now()
    rows = session.scalars(select(SignInThrottle).where(
        SignInThrottle.key.in_(keys if keys is not None else keys_for(email, address))))
    waits = [(row.locked_until - moment).total_seconds() for row in rows
             if row.locked_until is not None and row.locked_until > moment]
    return ceil(max(waits)) if waits else 0


def _lock_after(failures: int, policy: Policy, moment: datetime) -> datetime | None:
    if failures < policy.free:
        return None
    doublings = min(failures - policy.free, 20)
    return moment + min(policy.base * 2 ** doublings, policy.cap)


def begin_attempt(database: Database, email: str, address: str) -> int:
    """Admit one sign-in attempt, or say how many seconds to wait (own transaction).

    An admitted attempt is counted against the account *before* its password is
    checked (a success clears the count again), under the row's lock: guesses sent in
    parallel cannot all pass the check before the first of them is counted.
    """
    for attempt in range(3):
        try:
            with database.session() as session:
                _forget_old(session)
                wait = locked_for(session, email, address, [address_key(address)])
                return wait or _count(session, account_key(email))
        except IntegrityError:  # two first attempts on one account at once: again
            if attempt == 2:
                raise
    return 0


def record_failure(database: Database, address: str) -> None:
    """Count a failed sign-in against the client address (the account's is counted
    by :func:`begin_attempt`)."""
    if not address:
        return
    for attempt in range(3):
        try:
            with database.session() as session:
                _count(session, address_key(address))
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _forget_old(session: Session) -> None:
    """Drop counts that have lapsed, so guesses at made-up e-mails leave nothing behind."""
    moment = now()
    forget = max(policy.forget for policy in policies().values())
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.last_failure_at < moment - forget,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < moment)))


def _count(session: Session, key: str) -> int:
    """Count one attempt against ``key`` under its row lock; if the key was already
    locked, count nothing and return the seconds left (0: counted)."""
    moment, policy = now(), _policy(key)
    row = session.get(SignInThrottle, key, with_for_update=True)
    if row is None:
        row = SignInThrottle(key=key, failures=0, last_failure_at=moment)
        session.add(row)
    elif row.locked_until is not None and row.locked_until > moment:
        return ceil((row.locked_until - moment).total_seconds())
    elif row.last_failure_at < moment - policy.forget:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = moment
    row.locked_until = _lock_after(row.failures, policy, moment)
    session.flush()
    return 0


def record_success(session: Session, email: str) -> None:
    """The right password: the account's count starts again (the address's does not)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key(email)))


def unlock(session: Session, actor: str, *, email: str | None = None,
           address: str | None = None) -> int:
    """An administrator lifts the lock of an account and/or an address (audited)."""
    if not email and not address:
        raise InvalidInputError("say what to unlock: an account's e-mail or an address")
    keys = ([account_key(email)] if email else []) + ([address_key(address)] if address
                                                       else [])
    cleared = session.execute(delete(SignInThrottle).where(
        SignInThrottle.key.in_(keys))).rowcount or 0
    audit.append(session, actor=actor, trigger="unlock_sign_in",
                         data={"account": email or "", "address": address or "",
                               "cleared": cleared})
    return cleared


def locks(session: Session) -> list[SignInThrottle]:
    """Keys locked now, for administrators."""
    return list(session.scalars(select(SignInThrottle).where(
        SignInThrottle.locked_until > now()).order_by(SignInThrottle.key)))
