"""Conflicts of interest found by the rules: recorded (audited), the conflicted withdrawn.

Withdrawing leaves a team short; ``assignment_service.replace_withdrawn`` completes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import related_usccs
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.vocabulary import IN_REVIEW_STATES
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import office_today
from mqa_workflow.reviews import conflicts as coi
from mqa_workflow.reviews.models import (
    ACTIVE,
    AssignmentStatus,
    ConflictOfInterest,
    ConflictProfile,
    ConsensusSheet,
    ReviewAssignment,
)


def person_profile(profile: ConflictProfile) -> coi.ReviewerProfile:
    """The rules' view of one person's stored conflict profile."""
    return coi.ReviewerProfile(
        reviewer_id=profile.user_id,
        name=profile.user.name,
        employer_uscc=profile.employer_uscc,
        industry=profile.industry,
        district=profile.district,
        employments=tuple(
            coi.Employment(e["uscc"], e["name"], date.fromisoformat(e["start"]), _day(e.get("end")))
            for e in profile.employments
        ),
        relationships=tuple(
            coi.DeclaredRelationship(r["uscc"], r["kind"], r.get("note", ""))
            for r in profile.relationships
        ),
        engagements=tuple(
            coi.Engagement(w["uscc"], w["name"], w["kind"], date.fromisoformat(w["start"]),
                           _day(w.get("end")))
            for w in profile.engagements
        ),
        shareholdings=tuple(
            coi.Shareholding(h["uscc"], h["name"], h.get("share", ""))
            for h in profile.shareholdings
        ),
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _applicant_profile(session: Session, application: Application,
                       groups: Mapping[str, frozenset[str]] | None = None
                       ) -> coi.ApplicantProfile:
    org = application.organization
    related = groups[org.uscc] if groups is not None else related_usccs(session, org)
    return coi.ApplicantProfile(
        application.id, org.uscc, org.name, related, org.industry, org.district
    )


def _related_groups(session: Session) -> dict[str, frozenset[str]]:
    """Every organization's parent and subsidiaries, from one query (checking many
    applications then costs no query per application)."""
    links: dict[str, set[str]] = {}
    for uscc, parent in session.execute(select(Organization.uscc, Organization.parent_uscc)):
        links.setdefault(uscc, set())
        if parent:
            links[uscc].add(parent)
            links.setdefault(parent, set()).add(uscc)
    return {uscc: frozenset(related) for uscc, related in links.items()}


def _rules(application: Application) -> coi.ConflictRules:
    rules = application.cycle.rules
    return coi.ConflictRules(rules.conflict_window_years, rules.competitor_conflicts)


def check_conflicts(session: Session, application_ids: Sequence[int],
                    people: Sequence[int] | None = None) -> list[int]:
    """Record every conflict between the people with a conflict profile (pool reviewers
    and committee members alike; only ``people`` when given) and these applications, and
    withdraw the conflicted from their teams. Returns the applications that lost a
    reviewer."""
    query = select(ConflictProfile).options(joinedload(ConflictProfile.user))
    if people is not None:
        query = query.where(ConflictProfile.user_id.in_(people))
    index = coi.ConflictIndex.build(person_profile(p) for p in session.scalars(query))
    today = office_today()
    groups = _related_groups(session) if len(application_ids) > 1 else None
    needing_replacement = []
    for application in _with_organizations(session, application_ids):
        application_id = application.id
        by_person: dict[int, list[coi.Conflict]] = {}
        for conflict in index.conflicts(_applicant_profile(session, application, groups),
                                        _rules(application), today):
            by_person.setdefault(conflict.reviewer_id, []).append(conflict)
        for user_id, found in by_person.items():
            if _record(session, user_id, application, found, actor="system"):
                needing_replacement.append(application_id)
    return sorted(set(needing_replacement))


def _with_organizations(session: Session, application_ids: Sequence[int]
                        ) -> list[Application]:
    """The applications with their organizations and cycles, a few queries for all (a
    check of one person against a whole cycle used to load them one by one)."""
    found: list[Application] = []
    ids = list(dict.fromkeys(application_ids))
    for start in range(0, len(ids), 500):  # keep the IN list within every backend's limit
        found += session.scalars(
            select(Application).where(Application.id.in_(ids[start:start + 500]))
            .options(joinedload(Application.organization), joinedload(Application.cycle))
            .order_by(Application.id)).unique()
    return found


def _record(session: Session, user_id: int, application: Application,
            found: Sequence[coi.Conflict], *, actor: str) -> bool:
    """Store the conflicts not yet known (audited) and withdraw the person from the
    application's teams. True when an assignment was withdrawn."""
    by_rule: dict[str, list[str]] = {}
    for conflict in found:
        by_rule.setdefault(conflict.rule, []).append(conflict.reason)
    for rule, reasons in by_rule.items():
        exists = session.scalar(
            select(ConflictOfInterest).where(
                ConflictOfInterest.user_id == user_id,
                ConflictOfInterest.application_id == application.id,
                ConflictOfInterest.rule == rule,
            )
        )
        if exists is None:
            session.add(ConflictOfInterest(user_id=user_id, application_id=application.id,
                                           rule=rule, reason="; ".join(reasons)))
            # The reason names the organization, never the person: applicants read history.
            audit.append(session, actor=actor, trigger="conflict_of_interest",
                         application_id=application.id, reason="; ".join(reasons),
                         data={"person": user_id, "rule": rule})
    return withdraw(session, user_id, application, f"conflict of interest ({', '.join(by_rule)})")


def withdraw(session: Session, user_id: int, application: Application, reason: str) -> bool:
    """Withdraw the person from every team of the application: open assignments always,
    submitted ones while their stage's consensus is not yet recorded (a closed stage's
    record stands). True when any was withdrawn."""
    closed = set(session.scalars(select(ConsensusSheet.stage).where(
        ConsensusSheet.application_id == application.id)))
    withdrawn = False
    for assignment in session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.reviewer_id == user_id,
            ReviewAssignment.application_id == application.id,
            ReviewAssignment.status.in_(ACTIVE),
        )
    ):
        if assignment.status == AssignmentStatus.SUBMITTED.value and assignment.stage in closed:
            continue
        assignment.status = AssignmentStatus.WITHDRAWN.value
        assignment.status_reason = reason
        withdrawn = True
    session.flush()
    return withdrawn


def active_application_ids(session: Session) -> list[int]:
    """Applications still in review, whose teams a new conflict could change."""
    return list(
        session.scalars(
            select(Application.id)
            .where(
                Application.state.in_(IN_REVIEW_STATES)
            )
            .order_by(Application.id)
        )
    )
