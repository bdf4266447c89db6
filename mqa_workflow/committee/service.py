"""Committee voting rules: recusal, quorum, majority and the class's award quotas.

Outcome rule: a vote for the grand award also supports the encouragement award.
An award whose quota for the class is already used falls to the next lower one.
The grand award needs more than ``majority`` of the votes cast; failing that,
the encouragement award needs more than ``majority`` of votes for either award;
otherwise the outcome is no award. Quorum counts votes cast against the members
not recused (ceil(quorum × eligible members)). A quota counts the other applications
of the class only: an application's own award never uses its own place.

The decision is frozen when taken: the transition that takes it (award, announce or
decline) stores the tally as it stood in ``committee_decisions``, and everything shown
afterwards (command line, pages, exports, notices, feedback report) reads that row.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.clock import now
from mqa_workflow.committee.models import CommitteeDecision, CommitteeVote, VoteChoice
from mqa_workflow.errors import ConflictError, InvalidInputError, TransitionRefusedError
from mqa_workflow.procedure.service import proposed_award_count
from mqa_workflow.reviews.models import ConflictOfInterest
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.translations.message import Listed, Message, Word, refusal

AWARDED_STATE = {VoteChoice.GRAND: ApplicationState.AWARDED_GRAND,
                 VoteChoice.ENCOURAGEMENT: ApplicationState.AWARDED_ENCOURAGEMENT}


@dataclass
class Tally:
    eligible: int
    recused: int
    counts: dict[str, int]
    outcome: str | None = None
    problems: list[Message] = field(default_factory=list)
    # e.g. an award lowered by its quota: refusals while live, plain text once frozen
    notes: list[str] = field(default_factory=list)
    decided_by: str | None = None  # set once the decision is taken (frozen)
    decided_at: datetime | None = None

    @property
    def frozen(self) -> bool:
        return self.decided_at is not None


def committee_members(session: Session) -> list[User]:
    users = session.scalars(select(User).order_by(User.id)).all()
    return [user for user in users if user.has_role(Role.COMMITTEE_MEMBER)]


def recused_member_ids(session: Session, application_id: int) -> set[int]:
    return set(
        session.scalars(
            select(ConflictOfInterest.user_id).where(
                ConflictOfInterest.application_id == application_id
            )
        )
    )


def recusal_reason(session: Session, member: User, application: Application
                   ) -> Message | None:
    """Why ``member`` is recused from ``application``, or None. Members' conflict profiles
    are checked by the reviewers' rules whenever a profile is saved, an applicant's data
    changes, or a team is assigned (``reviews.conflict_checks.check_conflicts``), so the recorded
    conflicts are current."""
    if member.id not in recused_member_ids(session, application.id):
        return None
    return refusal("%(member)s is recused from application %(application)s (conflict of "
                   "interest)", member=member.name, application=application.id)


def ensure_not_recused(session: Session, member: User, application: Application) -> None:
    """The one refusal the command line and the web give a recused member."""
    reason = recusal_reason(session, member, application)
    if reason is not None:
        raise TransitionRefusedError(reason)


def cast_vote(session: Session, application: Application, member: User, choice: str
              ) -> str | None:
    """Record ``member``'s vote; a member may change it while the committee is deciding
    (until the tally closes: the decision is frozen and the state moves on). Returns the
    choice it replaced, or None for a first vote."""
    if not member.has_role(Role.COMMITTEE_MEMBER):
        raise TransitionRefusedError(refusal("%(member)s is not a committee member",
                                             member=member.name))
    if (application.state != ApplicationState.COMMITTEE_DECISION
            or session.get(CommitteeDecision, application.id) is not None):
        raise TransitionRefusedError(refusal(
            "application %(application)s is in %(state)s; votes are taken only in "
            "committee_decision, until the tally closes", application=application.id,
            state=Word("state", str(application.state))))
    ensure_not_recused(session, member, application)
    try:
        vote_choice = VoteChoice(choice)
    except ValueError:
        choices = Listed(Word("award", c.value) for c in VoteChoice)
        raise InvalidInputError(refusal("unknown vote %(choice)s; vote one of: %(choices)s",
                                        choice=repr(choice), choices=choices)) from None
    existing = session.scalar(
        select(CommitteeVote).where(
            CommitteeVote.application_id == application.id, CommitteeVote.member_id == member.id
        )
    )
    if existing is not None:
        before = VoteChoice(existing.choice).value
        existing.choice, existing.cast_at = vote_choice, now()
        session.flush()
        return before
    session.add(
        CommitteeVote(application_id=application.id, member_id=member.id, choice=vote_choice)
    )
    session.flush()
    return None


def tally(session: Session, application: Application) -> Tally:
    rules = application.cycle.rules
    recused = recused_member_ids(session, application.id)
    members = committee_members(session)
    eligible = [m for m in members if m.id not in recused]
    eligible_ids = {member.id for member in eligible}
    votes = session.scalars(
        select(CommitteeVote).where(CommitteeVote.application_id == application.id)
    ).all()
    counts = {choice.value: 0 for choice in VoteChoice}
    for vote in votes:
        if vote.member_id in eligible_ids:
            counts[vote.choice] += 1
    result = Tally(len(eligible), len(members) - len(eligible), counts)
    cast = sum(counts.values())
    needed = math.ceil(rules.committee_quorum * len(eligible) - 1e-9)
    if not eligible:
        result.problems.append(
            refusal("no committee member is free to vote on this application"))
    elif cast < needed:
        result.problems.append(refusal(
            "quorum not reached: %(cast)s of %(eligible)s eligible members voted, "
            "%(needed)s needed", cast=cast, eligible=len(eligible), needed=needed))
    if result.problems:
        return result
    result.outcome = _outcome(counts, cast, rules.committee_majority)
    # Within the class's quotas: a voted award whose quota is used falls to the next one.
    while (note := _quota_used(session, application, result.outcome)) is not None:
        result.notes.append(note)
        result.outcome = (VoteChoice.ENCOURAGEMENT.value
                          if result.outcome == VoteChoice.GRAND else VoteChoice.NONE.value)
    return result


def _outcome(counts: dict[str, int], cast: int, majority: float) -> str:
    grand = counts[VoteChoice.GRAND]
    either = grand + counts[VoteChoice.ENCOURAGEMENT]
    if grand > majority * cast:
        return VoteChoice.GRAND.value
    if either > majority * cast:
        return VoteChoice.ENCOURAGEMENT.value
    return VoteChoice.NONE.value


def quota_used(award: str, award_class: str, limit: int) -> Message:
    return refusal("the %(award)s award quota of the %(award_class)s class (%(limit)s) is "
                   "already used", award=Word("award", award),
                   award_class=Word("class", award_class), limit=limit)


# A frozen decision keeps its notes as English text (JSON); read back, the one kind of
# note there is becomes the refusal it was, so it reads in the reader's language again.
_STORED_QUOTA = re.compile(r"the (\w+) award quota of the (\w+) class \((\d+)\) is already used")


def stored_note(text: str) -> str:
    found = _STORED_QUOTA.fullmatch(text)
    return quota_used(found[1], found[2], int(found[3])) if found else text


def _quota_used(session: Session, application: Application, outcome: str
                ) -> Message | None:
    if outcome == VoteChoice.NONE:
        return None
    quota = application.cycle.rules.quota(application.award_class)
    limit = quota.grand if outcome == VoteChoice.GRAND else quota.encouragement
    state = AWARDED_STATE[VoteChoice(outcome)]
    used = session.scalar(
        select(func.count()).select_from(Application).where(
            Application.cycle_id == application.cycle_id,
            Application.award_class == application.award_class,
            Application.state == state,
            Application.id != application.id,  # its own award never uses its own place
        )
    )
    used = (used or 0) + proposed_award_count(session, application.cycle_id,
                                              application.award_class, outcome,
                                              excluding=application.id)
    if used >= limit:
        return quota_used(outcome, application.award_class, limit)
    return None


def freeze_decision(session: Session, application: Application, actor: User,
                    trigger: str) -> CommitteeDecision:
    """Store the decision the committee's tally gives now; called by the transition
    that takes it, inside its transaction. A decision is written once."""
    if session.get(CommitteeDecision, application.id) is not None:
        raise ConflictError(refusal("application %(application)s is decided already",
                                    application=application.id))
    result = tally(session, application)
    if result.problems or result.outcome is None:
        raise TransitionRefusedError(refusal(
            "application %(application)s cannot be decided yet",
            application=application.id), result.problems)
    decision = CommitteeDecision(
        application_id=application.id, outcome=result.outcome, trigger=trigger,
        eligible=result.eligible, recused=result.recused, counts=dict(result.counts),
        notes=list(result.notes), decided_by=actor.email)
    session.add(decision)
    application_id = application.id  # the failed flush below expires every instance
    try:
        session.flush()
    except IntegrityError:  # another administrator took it at the same moment
        raise ConflictError(refusal(
            "application %(application)s was decided by someone else at the same time; your "
            "decision was not saved, reload to see it", application=application_id)) from None
    return decision


def decision_of(session: Session, application: Application) -> Tally | None:
    """What every page, export, notice and report shows as the committee's outcome:
    the frozen decision once taken, the live tally while the committee is deciding,
    nothing before (or for an application that never came before it)."""
    stored = session.get(CommitteeDecision, application.id)
    if stored is not None:
        return Tally(stored.eligible, stored.recused, dict(stored.counts), stored.outcome,
                     notes=[stored_note(n) for n in stored.notes], decided_by=stored.decided_by,
                     decided_at=stored.decided_at)
    if application.state == ApplicationState.COMMITTEE_DECISION:
        return tally(session, application)
    return None


def committee_title(session: Session, member: User, application: Application) -> str:
    """What a committee member sees as the applicant: blinded until their vote is in
    when the cycle says so (the scores and the standard stay visible)."""
    if not application.cycle.rules.blind_committee:
        return application.title
    voted = session.scalar(select(CommitteeVote.id).where(
        CommitteeVote.application_id == application.id, CommitteeVote.member_id == member.id))
    if voted is not None:
        return application.title
    return f"申报 #{application.id}（{load_standard(application.award_class).award_class}，匿名）"
