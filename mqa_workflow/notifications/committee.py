"""The committee's notice: its members hear when an application is referred to them, in
their inbox and by e-mail, with the page where they read the case and vote."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.committee.service import committee_members, committee_title, recused_member_ids
from mqa_workflow.config import get_settings
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.notifications.service import application_context, notify_once
from mqa_workflow.standards.loader import load_standard

EVENT = "committee_referral"


def notify_committee_referral(session: Session, application_id: int) -> int:
    """Tell each committee member not recused from the application, once each (key
    ``committee_referral:APP:MEMBER``); how many were told. A blind committee reads the
    anonymous title, as on its page."""
    application = session.get(Application, application_id)
    if application is None or application.state != ApplicationState.COMMITTEE_DECISION:
        return 0  # decided (or withdrawn) before the task ran: nothing to vote on
    recused = recused_member_ids(session, application.id)
    due_at = stage_due_at(application.cycle, ApplicationState.COMMITTEE_DECISION)
    base = application_context(application) | {
        "class_name": load_standard(application.award_class).award_class, "due_at": due_at,
        "vote_url": f"{get_settings().public_url.rstrip('/')}/committee/{application.id}"}
    told = 0
    for member in committee_members(session):
        if member.id in recused:
            continue  # a recused member neither sees the case nor hears of it
        context = base | {"title": committee_title(session, member, application)}
        if notify_once(session, f"{EVENT}:{application.id}:{member.id}", EVENT, [member],
                       context, application.id, due_at):
            told += 1
    return told
