"""What page views share: the signed-in visitor with the CSRF token for the forms, and the
role a page needs, declared in its signature (``page: AdminPage``) as the API does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import require_role
from mqa_workflow.web.deps import DB, SignedIn, signed_in


@dataclass
class Visitor:
    user: User
    csrf: str
    session: Session


def visitor(signed: Annotated[SignedIn, Depends(signed_in)], session: DB) -> Visitor:
    return Visitor(signed.user, signed.web_session.csrf_token, session)


Page = Annotated[Visitor, Depends(visitor)]


def page_for(*roles: Role) -> Callable[[Visitor], Visitor]:
    """A page only people with one of ``roles`` may open: the API's idiom (web/deps.py
    ``require``), a role-typed parameter, and the same refusal (permissions.require_role)."""

    def check(page: Page) -> Visitor:
        require_role(page.user, *roles, doing="open this page")
        return page

    return check


AdminPage = Annotated[Visitor, Depends(page_for(Role.ADMINISTRATOR))]
OperatorPage = Annotated[Visitor, Depends(page_for(Role.OPERATOR, Role.ADMINISTRATOR))]
ReviewerPage = Annotated[Visitor, Depends(page_for(Role.REVIEWER))]
ReviewerOrAdminPage = Annotated[Visitor, Depends(page_for(Role.REVIEWER, Role.ADMINISTRATOR))]
CommitteePage = Annotated[Visitor, Depends(page_for(Role.COMMITTEE_MEMBER))]
AdminOrCommitteePage = Annotated[Visitor, Depends(page_for(Role.ADMINISTRATOR,
                                                           Role.COMMITTEE_MEMBER))]
ApplicantPage = Annotated[Visitor, Depends(page_for(Role.APPLICANT_CONTACT))]


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name, default)
    return value if isinstance(value, str) else default
