"""Where each piece of open work is done: the page a notice links to.

A reminder or an overdue notice is only useful if it takes the person straight to the
form that ends it (HotCRP and Award Force mail the review form's address, not the home
page). The paths are the pages' own (``mqa_workflow/web/pages``); ``absolute`` puts the
site's public address in front for e-mails.
"""

from __future__ import annotations

from mqa_workflow.config import get_settings
from mqa_workflow.deadlines.open_work import Work


def work_path(work: Work) -> str:
    """The page where ``work`` is done, from its kind and its stable reference."""
    application_id = work.application.id
    if work.kind == "review":  # ref "review:<assignment id>"
        return f"/assignments/{work.ref.split(':')[1]}"
    if work.kind == "consensus":  # ref "consensus:<application id>:<stage>"
        return f"/applications/{application_id}/consensus/{work.ref.split(':')[2]}"
    if work.kind == "site_visit_report":
        return f"/applications/{application_id}/site-visit"
    if work.kind == "committee_vote":  # the case, with its scores and the vote
        return f"/committee/{application_id}"
    return f"/applications/{application_id}"  # the applicant's correction


def escalation_path(work: Work) -> str:
    """The administrators' page for overdue work: the case, where it can be reassigned."""
    return f"/admin/cases/{work.application.id}"


def absolute(path: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}{path}"
