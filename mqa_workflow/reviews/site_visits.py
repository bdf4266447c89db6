"""The site-visit report (现场评审报告): a finding for each issue the team was asked to verify.

A report is accepted only during the site-visit stage, once the visit has begun —
its scheduled day has come in the office's calendar (Beijing time) — and only from
the team's leader. It records, for EACH issue on the visit's list, whether the team
verified it (yes / partly / no) and what it found; an overall summary may stand
beside the findings. Every problem of a report is listed at once, and nothing is
stored until the whole report is right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import now, office_today
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.models import ACTIVE, ReviewAssignment, ReviewStage, SiteVisit
from mqa_workflow.translations.message import Message, Word, refusal


class Verified(StrEnum):
    YES = "yes"  # 已核实
    PARTLY = "partly"  # 部分核实
    NO = "no"  # 未核实

    @property
    def label(self) -> str:
        return VERIFIED_LABELS[self.value]


# What migration 0031 wrote as the finding of each issue of a report written before
# findings were kept per issue (the report's text became its overall summary).
LEGACY_FINDING_NOTE = "（本报告早于逐项核查记录，见总体意见）"

VERIFIED_LABELS: dict[str | None, str] = {
    "yes": "已核实", "partly": "部分核实", "no": "未核实",
    None: "未逐项记录",  # a report written before findings were kept per issue
}


def schedule_site_visit(session: Session, application: Application, day: date,
                        issues_to_verify: Sequence[str]) -> SiteVisit:
    """Set the visit's day and the issues the team must verify; fixed once reported."""
    if application.state != ApplicationState.SITE_VISIT:
        raise ConflictError(refusal("application %(application)s is %(state)s, not in "
                                    "site_visit", application=application.id,
                                    state=Word("state", str(application.state))))
    visit = session.get(SiteVisit, application.id) or SiteVisit(application_id=application.id)
    if visit.reported_at is not None:
        raise ConflictError(refusal(
            "the site-visit report of application %(application)s is in; its day and issues "
            "to verify no longer change", application=application.id))
    visit.scheduled_on = day
    visit.issues_to_verify = [issue.strip() for issue in issues_to_verify if issue.strip()]
    session.add(visit)
    session.flush()
    return visit


def submit_visit_report(session: Session, application: Application, leader: User,
                        findings: Sequence[Mapping[str, Any]], summary: str = "") -> SiteVisit:
    """Store the leader's report: one finding per issue to verify, and the summary."""
    visit = session.get(SiteVisit, application.id)
    if visit is None:
        raise ConflictError(refusal("the site visit of application %(application)s is not "
                                    "scheduled", application=application.id))
    _must_lead(session, application, leader)
    today = office_today()
    if today < visit.scheduled_on:
        raise ConflictError(refusal(
            "the site visit of application %(application)s begins on %(day)s; its report is "
            "accepted from that day on (today is %(today)s, Beijing time)",
            application=application.id, day=visit.scheduled_on.isoformat(),
            today=today.isoformat()))
    if application.state != ApplicationState.SITE_VISIT:
        raise ConflictError(refusal(
            "application %(application)s is %(state)s; the site-visit report is written "
            "during the site visit", application=application.id,
            state=Word("state", str(application.state))))
    checked = check_findings(list(visit.issues_to_verify), findings)
    if not checked and not summary.strip():
        raise InvalidInputError(refusal("the site-visit report is empty: there is no issue "
                                        "to verify, so write the overall summary"))
    visit.findings = checked
    visit.report, visit.reported_by, visit.reported_at = summary.strip(), leader.id, now()
    audit.append(session, actor=leader.email, trigger="site_visit_report",
                 application_id=application.id, from_state=application.state,
                 to_state=application.state, reason=summary.strip()[:500],
                 data={"findings": [{"issue": f["issue"], "verified": f["verified"]}
                                    for f in checked]})
    session.flush()
    return visit


def check_findings(issues: list[str], findings: Sequence[Mapping[str, Any]]
                   ) -> list[dict[str, Any]]:
    """The findings in the order of the issues, or every problem at once."""
    problems: list[Message] = []
    by_issue: dict[str, dict[str, Any]] = {}
    for n, raw in enumerate(findings, start=1):
        if not isinstance(raw, Mapping):
            problems.append(refusal("finding %(n)s: write it as {issue, verified, finding}",
                                    n=n))
            continue
        issue = str(raw.get("issue", "")).strip()
        if issue not in issues:
            problems.append(refusal("finding %(n)s: %(issue)s is not an issue this visit was "
                                    "asked to verify", n=n, issue=repr(issue)))
            continue
        if issue in by_issue:
            problems.append(refusal("finding %(n)s: %(issue)s has a finding already", n=n,
                                    issue=repr(issue)))
            continue
        verified = raw.get("verified")
        if verified not in {v.value for v in Verified}:
            problems.append(refusal("%(issue)s: verified must be yes, partly or no (not "
                                    "%(verified)s)", issue=issue, verified=repr(verified)))
        text = str(raw.get("finding", "") or "").strip()
        if not text:
            problems.append(refusal("%(issue)s: write what the team found", issue=issue))
        by_issue[issue] = {"issue": issue, "verified": verified, "finding": text}
    problems += [refusal("%(issue)s: no finding (every issue to verify needs one)", issue=issue)
                 for issue in issues if issue not in by_issue]
    if problems:
        raise InvalidInputError(refusal("the site-visit report is incomplete"), problems)
    return [by_issue[issue] for issue in issues]


def findings_shown(visit: SiteVisit | None) -> list[dict[str, Any]]:
    """Each finding with its verification in words, for pages and reports."""
    if visit is None:
        return []
    return [finding | {"verified_label": VERIFIED_LABELS.get(finding.get("verified"),
                                                             VERIFIED_LABELS[None])}
            for finding in visit.findings]


def _must_lead(session: Session, application: Application, leader: User) -> None:
    leads = session.scalar(select(func.count()).select_from(ReviewAssignment).where(
        ReviewAssignment.application_id == application.id,
        ReviewAssignment.stage == ReviewStage.SITE_VISIT.value,
        ReviewAssignment.reviewer_id == leader.id,
        ReviewAssignment.is_leader.is_(True),
        ReviewAssignment.status.in_(ACTIVE)))
    if not leads:
        raise ConflictError(refusal(
            "%(name)s does not lead the site-visit team of application %(application)s",
            name=leader.name, application=application.id))
