"""Adding and finding people."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import LANGUAGES, Role, User
from mqa_workflow.db import get_by_id_or
from mqa_workflow.errors import ConflictError, ForbiddenError, InvalidInputError
from mqa_workflow.translations.message import Listed, Word, refusal


def parse_roles(names: Iterable[str]) -> list[Role]:
    roles, unknown = [], []
    for name in names:
        try:
            roles.append(Role(name.strip()))
        except ValueError:
            unknown.append(name)
    if unknown:
        choices = ", ".join(role.value for role in Role)
        raise InvalidInputError(f"unknown role(s) {', '.join(unknown)}; the roles are: {choices}")
    if not roles:
        raise InvalidInputError("a user needs at least one role")
    return roles


def add_user(
    session: Session,
    *,
    name: str,
    email: str,
    roles: Iterable[Role],
    organization_id: int | None = None,
    language: str = "zh",
) -> User:
    email = email.strip().lower()
    if "@" not in email or not name.strip():
        raise InvalidInputError(f"a user needs a name and an e-mail address (got {email!r})")
    if language not in LANGUAGES:
        raise InvalidInputError(f"unknown language {language!r}; choose {', '.join(LANGUAGES)}")
    if session.scalar(select(User).where(User.email == email)):
        raise ConflictError(f"a user with e-mail {email} already exists")
    user = User(
        name=name.strip(),
        email=email,
        roles=sorted({role.value for role in roles}),
        organization_id=organization_id,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, ref: str | int) -> User:
    """A user by id or e-mail address."""
    return get_by_id_or(session, User, User.email, ref, normalise=str.lower,
                        missing="no user {ref}")


def role_refusal(user: User, *roles: Role, doing: str = "do this") -> ForbiddenError:
    """The one refusal for a missing role, worded alike by the API, the pages, the command
    line and the state machine: "… may not <doing>: it needs the role a or b"."""
    wanted = Listed((Word("role", role.value) for role in roles), " or ")
    action = doing if isinstance(doing, Word) else Word("action", doing)
    return ForbiddenError(refusal("%(email)s may not %(doing)s: it needs the role %(roles)s",
                                  email=user.email, doing=action, roles=wanted))


def require_role(user: User, *roles: Role, doing: str = "do this") -> User:
    """``user`` if they hold one of ``roles``; else :func:`role_refusal` is raised: the
    check a domain function makes itself; who may see what is ``mqa_workflow.permissions``."""
    if not any(user.has_role(role) for role in roles):
        raise role_refusal(user, *roles, doing=doing)
    return user
