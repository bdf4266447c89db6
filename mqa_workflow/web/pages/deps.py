"""What page views share: the signed-in visitor with the CSRF token for the forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.web.deps import DB, SignedIn, signed_in
from mqa_workflow.web.errors import Forbidden


@dataclass
class Visitor:
    user: User
    csrf: str
    session: Session

    def need(self, *roles: Role) -> None:
        if not any(self.user.has_role(role) for role in roles):
            wanted = " or ".join(role.value for role in roles)
            raise Forbidden(f"{self.user.email} may not open this page: it needs {wanted}")


def visitor(signed: Annotated[SignedIn, Depends(signed_in)], session: DB) -> Visitor:
    return Visitor(signed.user, signed.web_session.csrf_token, session)


Page = Annotated[Visitor, Depends(visitor)]


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name, default)
    return value if isinstance(value, str) else default
