"""Committee pages: the referred applications by class, one case, and the member's vote.

What a member reads before voting, as the award offices' judging platforms lay it out:
the applications grouped by class (the standard's order, economic first) with the class's
quota, and for each one its category subtotals, the consolidated total, the site-visit
report and the review teams' strengths and opportunities. A vote asks for confirmation
and can be changed until the tally closes. Blind mode names no applicant before the
member's own vote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.committee.models import OUTCOME_LABELS, CommitteeVote, VoteChoice
from mqa_workflow.committee.service import (
    cast_vote,
    committee_members,
    committee_title,
    decision_of,
    recused_member_ids,
)
from mqa_workflow.cycles.models import AwardQuota
from mqa_workflow.cycles.service import stage_due_at
from mqa_workflow.errors import InvalidInputError
from mqa_workflow.reviews.agreed_feedback import agreed_of, recorded_sheet
from mqa_workflow.reviews.models import ReviewStage, SiteVisit
from mqa_workflow.reviews.site_visits import findings_shown
from mqa_workflow.reviews.team_notes import ItemNotes, team_notes
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.web import access
from mqa_workflow.web.api.committee import own_vote
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.listing import visible_applications
from mqa_workflow.web.pages.deps import CommitteePage, Form, Visitor, text
from mqa_workflow.web.pages.rendering import back_to, render
from mqa_workflow.web.pages.reviewer import stage_text

router = APIRouter(prefix="/committee")

# What the page says after a vote (post/redirect/get).
NOTICES = {"voted": "Your vote is recorded", "changed": "Your vote is changed"}


@dataclass
class Subtotal:
    code: str
    name: str
    points: Decimal | None  # None before the scores are consolidated
    maximum: int


@dataclass
class AgreedText:
    """What the latest team to write one agreed (the applicant's report shows the same)."""

    stage: ReviewStage
    stage_name: str  # the page's text key, e.g. "Site visit"
    summary: str
    categories: list[tuple[str, str, str]]  # (code and name, strengths, opportunities)


def agreed_text(session: Session, application: Application) -> AgreedText | None:
    """The agreed feedback of the last stage whose leader wrote one (site visit first)."""
    standard = load_standard(application.award_class)
    for stage in reversed(ReviewStage):
        sheet = recorded_sheet(session, application.id, stage)
        agreed = agreed_of(sheet) if sheet is not None else None
        if agreed and (agreed["summary"] or agreed["categories"]):
            said = agreed["categories"]
            return AgreedText(stage, stage_text(stage), agreed["summary"], [
                (f"{c.code} {c.name}", said[c.code].get("strengths", ""),
                 said[c.code].get("opportunities", ""))
                for c in standard.categories if c.code in said])
    return None


@dataclass
class Case:
    """One referred application as a committee member reads it."""

    application: Application
    title: str
    class_name: str
    total_points: int
    score: ConsolidatedScore | None
    subtotals: list[Subtotal]
    visit: SiteVisit | None
    findings: list[dict[str, Any]]
    notes: list[ItemNotes]
    vote: str | None
    voting: bool  # the tally is open: the member may vote or change the vote
    voted: int  # members not recused who have voted
    eligible: int
    decision: str | None  # the frozen outcome, once taken
    items: list[dict[str, Any]] = field(default_factory=list)  # item scores (case page)
    # the team's agreed text (summary; category, strengths, opportunities), when written
    agreed: AgreedText | None = None

    def flat(self, kind: str) -> list[tuple[str, str]]:
        """Every note of ``kind`` (strengths or opportunities) with its item's name."""
        return [(f"{n.code} {n.name}", note) for n in self.notes for note in getattr(n, kind)]


@dataclass
class ClassGroup:
    award_class: str
    class_name: str
    cycle_name: str
    quota: AwardQuota
    cases: list[Case]


def _number(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def case_of(visitor: Visitor, application: Application, *, with_items: bool = False) -> Case:
    session, member = visitor.session, visitor.user
    standard = load_standard(application.award_class)
    score = session.get(ConsolidatedScore, application.id)
    breakdown = score.breakdown if score is not None else {}
    subtotals = [Subtotal(c.code, c.name, _number(breakdown.get("categories", {}).get(c.code)),
                          c.points) for c in standard.categories]
    visit = session.get(SiteVisit, application.id)
    reported = visit is not None and visit.reported_at is not None
    voting = application.state == ApplicationState.COMMITTEE_DECISION
    shown = decision_of(session, application)
    recused = recused_member_ids(session, application.id)
    voters = set(session.scalars(select(CommitteeVote.member_id).where(
        CommitteeVote.application_id == application.id))) - recused
    items = []
    if with_items:
        for item in standard.scored_items():
            items.append({"code": item.code, "name": item.name, "maximum": item.points,
                          "points": _number(breakdown.get("items", {}).get(item.code)),
                          "percentage": breakdown.get("percentages", {}).get(item.code),
                          "band": breakdown.get("bands", {}).get(item.code, "")})
    return Case(
        application=application, title=committee_title(session, member, application),
        class_name=standard.award_class, total_points=standard.total_points, score=score,
        subtotals=subtotals, visit=visit if reported else None,
        findings=findings_shown(visit) if reported else [],
        notes=team_notes(session, application.id, application.award_class),
        vote=own_vote(session, member, application), voting=voting,
        voted=len(voters),
        eligible=len([m for m in committee_members(session) if m.id not in recused]),
        decision=shown.outcome if shown is not None and shown.frozen else None,
        items=items, agreed=agreed_text(session, application))


def _order(case: Case) -> tuple[int, int]:
    rank = case.score.rank if case.score is not None and case.score.rank else 10 ** 6
    return rank, case.application.id


def grouped(visitor: Visitor, applications: list[Application]) -> list[ClassGroup]:
    """The applications by cycle and class, the classes in the standard's order (economic
    first), each class by its rank."""
    groups: dict[tuple[int, str], ClassGroup] = {}
    for application in applications:
        key = (application.cycle_id, application.award_class)
        if key not in groups:
            groups[key] = ClassGroup(
                application.award_class, load_standard(application.award_class).award_class,
                application.cycle.name, application.cycle.rules.quota(application.award_class),
                [])
        groups[key].cases.append(case_of(visitor, application))
    for group in groups.values():
        group.cases.sort(key=_order)
    position = {class_id: n for n, class_id in enumerate(CLASS_IDS)}
    return [groups[key] for key in sorted(
        groups, key=lambda k: (-k[0], position.get(k[1], len(position)), k[1]))]


def _before_me(visitor: Visitor, application_id: int) -> Application:
    application = access.readable(visitor.session, visitor.user, application_id)
    if not access.committee_may_see(visitor.session, visitor.user, application):
        raise Forbidden(f"application {application_id} is not before you on the committee")
    return application


def _voting_due(applications: list[Application]) -> datetime | None:
    """The earliest voting deadline among the open cases (None when none is set)."""
    due = [stage_due_at(a.cycle, ApplicationState.COMMITTEE_DECISION) for a in applications
           if a.state == ApplicationState.COMMITTEE_DECISION]
    return min((d for d in due if d is not None), default=None)


@router.get("")
def before_committee(request: Request, page: CommitteePage, notice: str = "") -> Response:
    applications = [a for a in visible_applications(page.session, page.user)
                    if access.committee_may_see(page.session, page.user, a)]
    groups = grouped(page, applications)
    open_cases = [c for g in groups for c in g.cases if c.voting]
    return render(request, "committee/list.html", user=page.user, csrf=page.csrf,
                  groups=groups, due_at=_voting_due(applications),
                  open_count=len(open_cases),
                  voted_count=len([c for c in open_cases if c.vote]),
                  choices=[c.value for c in VoteChoice], outcome_labels=OUTCOME_LABELS,
                  notice=NOTICES.get(notice, ""))


@router.get("/{application_id}")
def case_page(application_id: int, request: Request, page: CommitteePage,
              notice: str = "") -> Response:
    application = _before_me(page, application_id)
    return render(request, "committee/case.html", user=page.user, csrf=page.csrf,
                  case=case_of(page, application, with_items=True),
                  due_at=_voting_due([application]), choices=[c.value for c in VoteChoice],
                  outcome_labels=OUTCOME_LABELS, notice=NOTICES.get(notice, ""))


def _back(form_back: str, application_id: int) -> str:
    """Where the member voted from: the list (at the case's card) or the case page."""
    if form_back == "case":
        return f"/committee/{application_id}"
    return f"/committee#case-{application_id}"


@router.post("/{application_id}/vote")
def vote(application_id: int, request: Request, page: CommitteePage, form: Form) -> Response:
    application = _before_me(page, application_id)
    choice = text(form, "choice")
    if choice not in set(VoteChoice):
        raise InvalidInputError(f"unknown vote {choice!r}; vote one of: "
                                + ", ".join(c.value for c in VoteChoice))
    if text(form, "confirmed") != "yes":
        # Without the page's script there was no dialog: ask here, before anything counts.
        return render(request, "committee/confirm.html", user=page.user, csrf=page.csrf,
                      case=case_of(page, application), choice=choice,
                      back=text(form, "back"))
    replaced = cast_vote(page.session, application, page.user, choice)
    done = "changed" if replaced else "voted"
    target = _back(text(form, "back"), application_id)
    joiner = "&" if "?" in target else "?"
    path, _, anchor = target.partition("#")
    return back_to(f"{path}{joiner}notice={done}" + (f"#{anchor}" if anchor else ""))
