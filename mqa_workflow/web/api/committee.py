"""The committee: its members' view of the referred applications, votes and tallies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.committee.models import CommitteeVote
from mqa_workflow.committee.service import cast_vote, decision_of
from mqa_workflow.reviews.models import SiteVisit
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import Id, VoteBody
from mqa_workflow.web.api.schemas.applications import ApplicationRead
from mqa_workflow.web.api.schemas.committee import (
    CommitteeApplicationRead,
    ScoreRead,
    TallyRead,
    VoteRead,
)
from mqa_workflow.web.api.schemas.common import refusals
from mqa_workflow.web.api.schemas.reviews import FindingRead
from mqa_workflow.web.deps import DB, AdminOrCommittee, CommitteeMember
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import visible_applications

router = APIRouter(tags=["committee"], responses=refusals(401, 403))


def own_vote(session: DB, member: User, application: Application) -> str | None:
    return session.scalar(select(CommitteeVote.choice).where(
        CommitteeVote.application_id == application.id, CommitteeVote.member_id == member.id))


def findings_of(session: DB, application: Application) -> list[FindingRead]:
    """The site visit's finding for each issue it verified (none before its report)."""
    visit = session.get(SiteVisit, application.id)
    found = visit.findings if visit is not None and visit.reported_at else []
    return [FindingRead(**f) for f in found]


def tally_of(session: DB, application: Application) -> TallyRead | None:
    """The frozen decision once taken, the live tally while the committee decides (the API
    and the case page show the same)."""
    return TallyRead.of(decision_of(session, application))


def tally_json(session: DB, application: Application) -> dict[str, Any] | None:
    """:func:`tally_of` as the JSON the API answers."""
    tally = tally_of(session, application)
    return tally.model_dump(mode="json") if tally is not None else None


@router.get("/committee/applications",
            summary="The applications before the committee (recusals left out)",
            response_model_exclude_unset=True)  # the materials only for those who see them
def committee_list(session: DB, user: CommitteeMember) -> list[CommitteeApplicationRead]:
    return [CommitteeApplicationRead(
                **ApplicationRead.fields_of(session, user, a),
                score=ScoreRead.of(session.get(ConsolidatedScore, a.id)),
                my_vote=own_vote(session, user, a),
                site_visit_findings=findings_of(session, a))
            for a in visible_applications(session, user)
            if access.committee_may_see(session, user, a)]


def _before_committee(session: DB, user: User, application_id: int) -> Application:
    application = access.readable(session, user, application_id)
    if not (access.is_admin(user) or access.committee_may_see(session, user, application)):
        raise Forbidden(f"application {application_id} is not before you on the committee")
    return application


@router.post("/applications/{application_id}/votes", status_code=201,
             summary="Cast your vote: grand, encouragement or none (a second vote replaces "
                     "the first until the tally closes)",
             responses=refusals(404, 409, 422))
def post_vote(application_id: Id, body: VoteBody, session: DB, user: CommitteeMember
              ) -> VoteRead:
    application = _before_committee(session, user, application_id)
    replaced = cast_vote(session, application, user, body.choice)
    return VoteRead(detail="vote changed" if replaced else "vote recorded", choice=body.choice)


@router.get("/applications/{application_id}/tally",
            summary="Votes, recusals, quorum and the outcome within the quotas (null before "
                    "the committee decides)", responses=refusals(404, 422))
def get_tally(application_id: Id, session: DB, user: AdminOrCommittee) -> TallyRead | None:
    return tally_of(session, _before_committee(session, user, application_id))
