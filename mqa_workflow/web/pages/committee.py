"""Committee pages: the applications before the committee and the member's vote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mqa_workflow.committee.service import cast_vote, committee_title
from mqa_workflow.reviews.models import SiteVisit
from mqa_workflow.reviews.site_visits import findings_shown
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.web import access
from mqa_workflow.web.api.committee import own_vote
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import visible_applications
from mqa_workflow.web.pages.deps import CommitteePage, Form, text
from mqa_workflow.web.pages.rendering import back_to, render

router = APIRouter(prefix="/committee")


@router.get("")
def before_committee(request: Request, page: CommitteePage) -> Response:
    rows = [{"application": a, "title": committee_title(page.session, page.user, a),
             "score": page.session.get(ConsolidatedScore, a.id),
             "vote": own_vote(page.session, page.user, a),
             "findings": findings_shown(page.session.get(SiteVisit, a.id))}
            for a in visible_applications(page.session, page.user)
            if access.committee_may_see(page.session, page.user, a)]
    return render(request, "committee/list.html", user=page.user, csrf=page.csrf, rows=rows)


@router.post("/{application_id}/vote")
def vote(application_id: int, page: CommitteePage, form: Form) -> Response:
    application = access.readable(page.session, page.user, application_id)
    if not access.committee_may_see(page.session, page.user, application):
        raise Forbidden(f"application {application_id} is not before you on the committee")
    cast_vote(page.session, application, page.user, text(form, "choice"))
    return back_to("/committee")
