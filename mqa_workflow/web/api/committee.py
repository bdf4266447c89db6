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
from mqa_workflow.web.deps import DB, AdminOrCommittee, CommitteeMember
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import visible_applications
from mqa_workflow.web.present import application_json, score_json

router = APIRouter(tags=["committee"])


def own_vote(session: DB, member: User, application: Application) -> str | None:
    return session.scalar(select(CommitteeVote.choice).where(
        CommitteeVote.application_id == application.id, CommitteeVote.member_id == member.id))


def findings_of(session: DB, application: Application) -> list[dict[str, Any]]:
    """The site visit's finding for each issue it verified (none before its report)."""
    visit = session.get(SiteVisit, application.id)
    return list(visit.findings) if visit is not None and visit.reported_at else []


def tally_json(session: DB, application: Application) -> dict[str, Any] | None:
    """The frozen decision once taken, the live tally while the committee decides."""
    result = decision_of(session, application)
    if result is None:
        return None
    return {"eligible": result.eligible, "recused": result.recused, "counts": result.counts,
            "outcome": result.outcome, "problems": result.problems, "notes": result.notes,
            "frozen": result.frozen, "decided_by": result.decided_by,
            "decided_at": result.decided_at.isoformat() if result.decided_at else None}


@router.get("/committee/applications",
            summary="The applications before the committee (recusals left out)")
def committee_list(session: DB, user: CommitteeMember) -> list[dict[str, Any]]:
    return [application_json(session, user, a)
            | {"score": score_json(session.get(ConsolidatedScore, a.id)),
               "my_vote": own_vote(session, user, a),
               "site_visit_findings": [dict(f) for f in findings_of(session, a)]}
            for a in visible_applications(session, user)
            if access.committee_may_see(session, user, a)]


def _before_committee(session: DB, user: User, application_id: int) -> Application:
    application = access.readable(session, user, application_id)
    if not (access.is_admin(user) or access.committee_may_see(session, user, application)):
        raise Forbidden(f"application {application_id} is not before you on the committee")
    return application


@router.post("/applications/{application_id}/votes", status_code=201,
             summary="Cast your vote: grand, encouragement or none")
def post_vote(application_id: Id, body: VoteBody, session: DB, user: CommitteeMember
              ) -> dict[str, Any]:
    application = _before_committee(session, user, application_id)
    cast_vote(session, application, user, body.choice)
    return {"detail": "vote recorded", "choice": body.choice}


@router.get("/applications/{application_id}/tally",
            summary="Votes, recusals, quorum and the outcome within the quotas")
def get_tally(application_id: Id, session: DB, user: AdminOrCommittee
              ) -> dict[str, Any] | None:
    return tally_json(session, _before_committee(session, user, application_id))
