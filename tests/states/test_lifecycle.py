"""The application state machine: every transition, every guard, audit and outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.clock import now, set_clock
from mqa_workflow.committee.service import cast_vote
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, TransitionRefusedError
from mqa_workflow.notifications.models import Notification
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.procedure.models import (
    CandidateDecision,
    DefenceSlot,
    Objection,
    PublicNotice,
    SocialEvaluation,
)
from mqa_workflow.reviews.models import (
    ConflictOfInterest,
    ConsensusSheet,
    ReviewAssignment,
    SiteVisit,
)
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.states.engine import ANCHORED_STATES, CHECKPOINT_TASK, advance, waiting_for
from mqa_workflow.states.release import release_results
from mqa_workflow.states.table import TRANSITIONS, TransitionSpec
from mqa_workflow.worker.collect import collect
from mqa_workflow.worker.dispatch import dispatch_pending
from tests import factories

RULES = {"reviewers_per_application": 2, "site_visit_team_size": 2}
VOTE_FOR = {"award_grand": "grand", "award_encouragement": "encouragement",
            "decline_award": "none", "announce_grand": "grand",
            "announce_encouragement": "encouragement"}


def rules_for(spec: TransitionSpec) -> dict[str, object]:
    """Cycle rules under which ``spec`` applies: the optional stages its guards ask for."""
    stages = [g.removeprefix("uses_") for g in spec.guards if g.startswith("uses_")]
    selection = {"candidates_per_class": 1} if spec.trigger == "not_selected" else {}
    return RULES | {"optional_stages": stages} | selection


def satisfy(session: Session, application: Application, spec: TransitionSpec) -> None:
    """Make every guard of ``spec`` hold for ``application``."""
    if "defence_complete" in spec.guards:
        _submitted_reviews(session, application, "defence", count=3)
        session.add(DefenceSlot(application_id=application.id,
                                starts_at=datetime(2026, 7, 1, 1, 0, tzinfo=UTC)))
        session.add(ConsensusSheet(application_id=application.id, stage="defence",
                                   percentages={}, total=Decimal(300),
                                   recorded_by=factories.user(session).id))
    if "social_evaluation_recorded" in spec.guards:
        session.add(SocialEvaluation(application_id=application.id,
                                     satisfaction=Decimal("88.5"), respondents=120,
                                     method="第三方问卷", recorded_by=factories.user(session).id))
    if "candidate_not_selected" in spec.guards:
        session.add(CandidateDecision(application_id=application.id, selected=False,
                                      position=2, reason="名额已满"))
    if "notice_closed_clear" in spec.guards or "objection_upheld" in spec.guards:
        award = "encouragement" if spec.trigger == "confirm_encouragement" else "grand"
        session.add(PublicNotice(application_id=application.id, proposed_award=award,
                                 published_on=date(2026, 1, 5), closes_on=date(2026, 1, 12)))
    if "objection_upheld" in spec.guards:
        session.add(Objection(application_id=application.id, filed_on=date(2026, 1, 6),
                              filed_by="某公众", grounds="数据不实", evidence=["检测报告"],
                              status="upheld", resolution="经核查属实"))
    if "document_review_complete" in spec.guards:
        _submitted_reviews(session, application, "document_review")
    if "site_visit_complete" in spec.guards:
        _submitted_reviews(session, application, "site_visit")
    if "site_visit_reported" in spec.guards:
        session.add(SiteVisit(application_id=application.id, scheduled_on=date(2026, 9, 1),
                              report="现场核实无误", reported_at=now()))
    if "consolidated_score_recorded" in spec.guards:
        session.add(_consolidated(application))
    if spec.trigger in VOTE_FOR:
        for _ in range(3):
            member = factories.user(session, Role.COMMITTEE_MEMBER)
            cast_vote(session, application, member, VOTE_FOR[spec.trigger])
    session.flush()


def _submitted_reviews(session: Session, application: Application, stage: str,
                       count: int = 2) -> None:
    for index in range(count):
        reviewer = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                     stage=stage, is_leader=index == 0, status="submitted"))


def _consolidated(application: Application) -> ConsolidatedScore:
    return ConsolidatedScore(application_id=application.id, total=Decimal("400"),
                             document_review_total=Decimal("390"),
                             site_visit_total=Decimal("406.667"), breakdown={}, weights={},
                             rank=1)


EVERY_EDGE = [(spec, source) for spec in TRANSITIONS for source in spec.sources]


@pytest.mark.parametrize(("spec", "source"), EVERY_EDGE,
                         ids=[f"{s.trigger}-from-{src.value}" for s, src in EVERY_EDGE])
def test_every_transition_moves_records_audit_and_queues_its_tasks(
    database: Database, spec: TransitionSpec, source: ApplicationState
) -> None:
    with database.session() as session:
        application = factories.application(
            session, state=source.value, award_cycle=factories.cycle(session, rules_for(spec)))
        admin = factories.user(session, Role.ADMINISTRATOR)
        satisfy(session, application, spec)
        step = advance(session, application.id, spec.trigger, admin, reason="依据评审规则")
        app_id = application.id
    assert (step.from_state, step.to_state) == (source.value, spec.dest.value)
    with database.session() as session:
        assert session.get(Application, app_id).state == spec.dest.value
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.application_id == app_id)).one()
        assert (record.trigger, record.from_state, record.to_state, record.reason) == (
            spec.trigger, source.value, spec.dest.value, "依据评审规则")
        queued = session.scalars(select(OutboxMessage.task)).all()
        anchors = [CHECKPOINT_TASK] if spec.dest in ANCHORED_STATES else []  # decisions, notices
        assert sorted(queued) == sorted([*spec.tasks, *anchors])


def test_every_task_named_in_the_table_exists() -> None:
    named = {task for spec in TRANSITIONS for task in spec.tasks}
    assert named <= set(collect())


def test_an_application_walks_from_draft_to_the_grand_award(database: Database) -> None:
    with database.session() as session:
        application = factories.application(
            session, award_class="cultural", award_cycle=factories.cycle(session, RULES))
        admin = factories.user(session, Role.ADMINISTRATOR)
        contact = factories.user(session, Role.APPLICANT_CONTACT,
                                 organization=application.organization)
        path = ["submit", "begin_eligibility_check", "return_for_correction", "resubmit",
                "confirm_eligible", "shortlist", "finish_site_visit", "refer_to_committee",
                "award_grand"]
        for trigger in path:
            spec = next(s for s in TRANSITIONS if s.trigger == trigger)
            satisfy(session, application, spec)
            actor = contact if trigger in ("submit", "resubmit") else admin
            advance(session, application.id, trigger, actor, reason="按规程办理")
        app_id, contact_id = application.id, contact.id
    run = dispatch_pending(database)
    with database.session() as session:
        failed = session.scalars(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None))).all()
        # The test wrote the consolidated score itself, without consensus sheets to compute it.
        assert [(m.task, "no document_review consensus" in m.last_error) for m in failed] == [
            ("scoring.consolidate", True)]
        assert run.failed == 1
        assert session.get(Application, app_id).state == "awarded_grand"
        inbox = session.scalars(select(Notification).where(
            Notification.user_id == contact_id)).all()
        # finish_site_visit tells the applicant nothing; the award comes as a decision
        # notice; "your feedback report is ready" waits for the release of the results.
        events = [n.event for n in inbox]
        assert events.count("state_changed") == len(path) - 2
        assert events.count("decision") == 1
        assert events.count("feedback_report_ready") == 0
        decision = next(n for n in inbox if n.event == "decision")
        assert "大奖" in decision.subject
        assert verify_chain(session) == (len(path), None)
        release_results(session, session.get(Application, app_id).cycle, admin)
    dispatch_pending(database)
    with database.session() as session:
        events = [n.event for n in session.scalars(select(Notification).where(
            Notification.user_id == contact_id))]
        assert events.count("feedback_report_ready") == 1
        # the release, and the report's PDF rendered once then with its hash
        assert verify_chain(session) == (len(path) + 2, None)


def _refusal(session: Session, application: Application, trigger: str, **kw: object) -> list[str]:
    actor = kw.pop("actor", None) or factories.user(session, Role.ADMINISTRATOR)
    with pytest.raises(TransitionRefusedError) as refused:
        advance(session, application.id, trigger, actor, **kw)  # type: ignore[arg-type]
    return refused.value.problems


def test_submission_lists_every_blank_item_and_the_blank_profile(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, award_class="social", complete=False)
        problems = _refusal(session, application, "submit")
        assert application.state == "draft"
    assert problems[0].startswith("the organizational profile")
    assert len([p for p in problems if p.startswith("item ")]) == 16
    assert "item 3.2.1 利益相关方满意: no written answer" in problems or any(
        p.startswith("item 3.2.1 ") for p in problems)


def test_submission_after_the_deadline_is_refused(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, deadlines={"submission": date(2026, 3, 31)})
        application = factories.application(session, award_cycle=cycle)
        moment = datetime(2026, 4, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 April in Shenzhen
        set_clock(lambda: moment)
        assert _refusal(session, application, "submit") == [
            "the submission deadline 2026-03-31 has passed"]


def test_resubmission_after_the_correction_deadline_is_refused(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="eligibility_check")
        admin = factories.user(session)
        returned_at = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
        set_clock(lambda: returned_at)
        advance(session, application.id, "return_for_correction", admin, reason="缺少附件")
        due = application.correction_due_at
        assert due == returned_at + timedelta(days=10)
        later = due + timedelta(minutes=1)
        set_clock(lambda: later)
        problems = _refusal(session, application, "resubmit")
    assert len(problems) == 1 and "correction (补正) deadline" in problems[0]


def test_leaving_document_review_waits_for_every_assigned_review(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="document_review",
                                            award_cycle=factories.cycle(session, RULES))
        reviewer = factories.user(session, Role.REVIEWER)
        session.add(ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id,
                                     stage="document_review", status="assigned"))
        session.flush()
        problems = _refusal(session, application, "shortlist")
    assert problems == [
        "document_review: 1 of 2 reviewers are assigned",
        f"document_review: the score sheet of {reviewer.name} (reviewer {reviewer.id}) "
        "is not submitted",
    ]


def test_committee_stage_refuses_without_score_quorum_or_quota(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, RULES | {"award_quotas": {"economic": {"grand": 1}}})
        first = factories.application(session, state="committee_decision", award_cycle=cycle)
        scoring = factories.application(session, state="consolidated_scoring", award_cycle=cycle)
        assert _refusal(session, scoring, "refer_to_committee") == [
            "the consolidated score has not been computed yet"]
        members = [factories.user(session, Role.COMMITTEE_MEMBER) for _ in range(3)]
        cast_vote(session, first, members[0], "grand")
        assert _refusal(session, first, "award_grand") == [
            "quorum not reached: 1 of 3 eligible members voted, 2 needed"]
        cast_vote(session, first, members[1], "grand")
        assert _refusal(session, first, "decline_award") == [
            "the committee's vote gives 'grand', not 'none'"]
        advance(session, first.id, "award_grand", factories.user(session))
        second = factories.application(session, state="committee_decision", award_cycle=cycle)
        for member in members:
            cast_vote(session, second, member, "grand")
        assert _refusal(session, second, "award_grand") == [
            "the committee's vote gives 'encouragement', not 'grand' "
            "(the grand award quota of the economic class (1) is already used)"]
        advance(session, second.id, "award_encouragement", factories.user(session))


def test_a_recused_member_cannot_vote_and_does_not_count(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="committee_decision")
        members = [factories.user(session, Role.COMMITTEE_MEMBER) for _ in range(3)]
        session.add(ConflictOfInterest(user_id=members[0].id, application_id=application.id,
                                       rule="employment", reason="曾任职于申报单位"))
        session.flush()
        with pytest.raises(TransitionRefusedError, match="recused"):
            cast_vote(session, application, members[0], "grand")
        cast_vote(session, application, members[1], "encouragement")
        cast_vote(session, application, members[2], "encouragement")
        advance(session, application.id, "award_encouragement", factories.user(session))
        assert application.state == "awarded_encouragement"


def test_roles_reasons_sources_and_triggers_are_checked(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="eligibility_check")
        reviewer = factories.user(session, Role.REVIEWER)
        other_contact = factories.user(session, Role.APPLICANT_CONTACT,
                                       organization=factories.organization(session))
        assert _refusal(session, application, "confirm_eligible", actor=reviewer) == [
            f"{reviewer.email} may not confirm_eligible: it needs the role administrator"]
        assert _refusal(session, application, "withdraw", actor=other_contact) == [
            f"{other_contact.email} is a contact of another organization",
            "withdraw needs a written reason"]
        assert _refusal(session, application, "shortlist")[0] == (
            "shortlist applies only from document_review; the application is in "
            "eligibility_check")
        with pytest.raises(TransitionRefusedError, match="from eligibility_check the triggers"):
            advance(session, application.id, "approve", reviewer)


def test_final_states_accept_no_trigger(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="not_shortlisted")
        assert waiting_for(session, application, factories.user(session)) == {}
        problems = _refusal(session, application, "withdraw", reason="改变主意")
    assert problems == ["withdraw applies only from draft, submitted, eligibility_check, "
                        "returned_for_correction, document_review, defence, site_visit, "
                        "social_evaluation, consolidated_scoring, committee_decision; the "
                        "application is in not_shortlisted"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="submitted")
        admin = factories.user(session)
        app_id, version, admin_email = application.id, application.version, admin.email
    first, second = database.sessions(), database.sessions()
    try:
        with first.begin():
            from mqa_workflow.accounts.service import get_user
            advance(first, app_id, "begin_eligibility_check", get_user(first, admin_email))
        with pytest.raises(ConflictError, match="changed since you read it"), second.begin():
            advance(second, app_id, "begin_eligibility_check", get_user(second, admin_email),
                    expected_version=version)
    finally:
        first.close()
        second.close()
    with database.session() as session:
        assert session.scalars(select(AuditRecord)).all()[-1].trigger == (
            "begin_eligibility_check")
        assert len(session.scalars(select(AuditRecord)).all()) == 1
