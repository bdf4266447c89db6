"""``mqa demo``: one whole award cycle on synthetic data, through the real engine.

Every step goes through the same domain functions the commands use: transitions
with their guards and audit records, background work through the outbox (run
in-process here), the assignment solver, score sheets, consensus, consolidation
and the committee's votes. The same seed gives the same outcome.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import case, event, func, select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import add_user
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.models import ApplicationState as State
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import set_clock, wall_time
from mqa_workflow.committee.service import decision_of
from mqa_workflow.config import Settings
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.db import Database
from mqa_workflow.demo import data
from mqa_workflow.demo.phases import (
    DemoPhase,
    applications_of,
    check_eligibility,
    document_review,
    refer,
    site_visit,
    submit_all,
    vote,
)
from mqa_workflow.outbox.models import OutboxMessage, ProcessedTask
from mqa_workflow.reports.service import write_feedback_reports
from mqa_workflow.reviews.conflict_declarations import declare_conflict
from mqa_workflow.reviews.models import AssignmentStatus, ReviewAssignment
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.scoring.ranking import class_ranking
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.release import release_refusals, release_results
from mqa_workflow.web.security import set_password
from mqa_workflow.worker.dispatch import dispatch_pending

DEMO_RULES = {"reviewers_per_application": 3, "site_visit_team_size": 3,
              "site_visits_per_class": 2, "consensus_threshold": 20,
              "score_weights": {"document_review": 0.4, "site_visit": 0.6},
              "award_quotas": {c: {"grand": 1, "encouragement": 1} for c in CLASS_IDS}}


@dataclass
class RankedApplication:
    application_id: int
    title: str
    rank: int | None
    document_review: Decimal | None
    final: Decimal | None
    state: str
    decision: str | None = None  # the committee's decision as frozen when taken


@dataclass
class DemoOutcome:
    cycle_id: int
    rankings: dict[str, list[RankedApplication]] = field(default_factory=dict)
    unranked: list[RankedApplication] = field(default_factory=list)  # ineligible, withdrawn
    reports: list[Path] = field(default_factory=list)
    conflicts_found: int = 0
    stopped_at: str | None = None  # the stage the cycle was left at (None: run to the end)
    states: dict[str, int] = field(default_factory=dict)  # applications per state at the end
    sign_in: dict[Role, str] = field(default_factory=dict)  # role -> the e-mail to sign in with


Progress = Callable[[str], None]


PROCEDURES = ("plain", "shenzhen")
DEFAULT_PASSWORD = "mqa-demo-2026"
RESULTS_RELEASE = "results_release"  # the stop before the office releases the results
# The demo runs on a simulated timeline: most phases start two weeks after the last.
TIMELINE_START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shenzhen, a Monday


def run_demo(database: Database, *, applications: int, seed: int, reports_dir: Path,
             procedure: str = "plain", progress: Progress = lambda _: None,
             settings: Settings | None = None, stop_at: str | None = None,
             password: str = DEFAULT_PASSWORD) -> DemoOutcome:
    """Run a whole cycle, or up to ``stop_at`` (one of :func:`stop_points`): the
    applications are then left at that stage with its work waiting. One person of every
    role gets ``password``. With ``settings.broker_url`` the background work goes through
    Celery workers (which must be running against the same database); else in-process."""
    settings = settings or Settings(broker_url="")
    if procedure not in PROCEDURES:
        raise ValueError(f"unknown procedure {procedure!r}; choose {' or '.join(PROCEDURES)}")
    if stop_at is not None and stop_at not in stop_points(procedure):
        raise ValueError(unknown_stop_message(stop_at, procedure))
    rng = random.Random(seed)
    moment = TIMELINE_START
    set_clock(lambda: moment)
    try:
        with database.session() as session:
            cast, cycle_id = _set_up(session, rng, applications, procedure)
        progress(f"cycle created: {applications} applications, reviewer pool and committee "
                 f"({procedure} procedure)")
        for phase in _phases(procedure):
            if phase.stage == stop_at:
                break
            moment += timedelta(days=phase.days)
            _run_phase(database, settings, phase, rng, cast, cycle_id)
            _drain(database, settings)
            progress(f"{phase.label} done")
        else:
            if stop_at != RESULTS_RELEASE and _release(database, cycle_id, cast.admin.id):
                _drain(database, settings)  # the "feedback report ready" notices
                progress("results released to the applicants")
        with database.session() as session:
            outcome = _outcome(session, cycle_id)
            outcome.stopped_at = stop_at
            outcome.sign_in = _sign_in(session, cast, cycle_id, password)
            if stop_at is None:
                outcome.reports = write_feedback_reports(session, cycle_id, reports_dir)
        if stop_at is not None:
            progress(f"stopped at {stop_at}")
        return outcome
    finally:
        set_clock(None)


def stop_points(procedure: str) -> list[str]:
    """Where ``mqa demo --stop-at`` can leave the cycle, in the procedure's order."""
    return [phase.stage for phase in _phases(procedure)] + [RESULTS_RELEASE]


def unknown_stop_message(stop_at: str, procedure: str) -> str:
    return (f"unknown stage {stop_at!r} for the {procedure} procedure; --stop-at takes one "
            f"of: {', '.join(stop_points(procedure))}")


def _release(database: Database, cycle_id: int, admin_id: int) -> bool:
    """The office releases the results once every decision is final (as it would)."""
    with database.session() as session:
        cycle = session.get(AwardCycle, cycle_id)
        if cycle is None or release_refusals(session, cycle):
            return False
        # No PDFs rendered now: a demo (or benchmark) cycle of hundreds of applications
        # would spend seconds per report on files nobody downloads; each is rendered and
        # kept at its first download, as for results released before reports were kept.
        release_results(session, cycle, session.get_one(User, admin_id), render_pdfs=False)
        return True


def _phases(procedure: str) -> list[DemoPhase]:
    if procedure == "shenzhen":
        from mqa_workflow.demo import shenzhen

        return shenzhen.PHASES
    return [DemoPhase(State.DRAFT, "submission", submit_all, 14),
            DemoPhase(State.ELIGIBILITY_CHECK, "eligibility check", check_eligibility, 0),
            DemoPhase(State.DOCUMENT_REVIEW, "document review", document_review, 14),
            DemoPhase(State.SITE_VISIT, "site visit", site_visit, 14),
            DemoPhase(State.CONSOLIDATED_SCORING, "referral to the committee", refer, 14),
            DemoPhase(State.COMMITTEE_DECISION, "committee decision", vote, 0)]


def _run_phase(database: Database, settings: Settings, phase: DemoPhase,
               rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    """One phase in a session it may commit in batches (see :func:`phases.in_batches`).
    With workers, each commit hands the batch's queued work to them at once, so they work
    while the phase goes on; in-process, the work waits for the phase's end as before (the
    same seed then gives the same outcome whatever the timing)."""
    with database.sessions() as session:
        if not settings.tasks_in_process:
            event.listen(session, "after_commit", lambda _: _publish(database, settings))
        phase.step(session, rng, cast, cycle_id)
        session.commit()


def _publish(database: Database, settings: Settings) -> None:
    with wall_time():  # the workers live in real time: so must the relay that feeds them
        dispatch_pending(database, settings)


def _drain(database: Database, settings: Settings, patience: float = 300) -> None:
    """Hand the phase's background work over and wait until every task has done it;
    give up only when the work stops moving for ``patience`` seconds.

    Each look counts the outbox's rows and the tasks done (two counts; a task is done
    once, by its row's key), and only when they meet does one exact look confirm that
    no row is left undone."""
    last_waiting, last_progress = None, time.monotonic()
    while True:
        if settings.tasks_in_process:
            run = dispatch_pending(database, settings)
        else:
            with wall_time():
                run = dispatch_pending(database, settings)
        if run.failed and settings.tasks_in_process:
            raise RuntimeError(f"background work failed: {run.last_error}")
        with database.session() as session:
            waiting = _waiting(session)
        if not waiting:
            return
        if waiting != last_waiting:
            last_waiting, last_progress = waiting, time.monotonic()
        elif time.monotonic() - last_progress > patience:
            raise RuntimeError(f"{waiting} background task(s) made no progress for "
                               f"{patience:.0f} s; are the workers running?")
        time.sleep(0.05)


def _waiting(session: Session) -> int:
    """Outbox rows whose task has not run yet."""
    queued = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    done = session.scalar(select(func.count()).select_from(ProcessedTask)) or 0
    if queued > done:
        return queued - done
    # Keys done without a row of this outbox would hide rows left: count exactly, once.
    return session.scalar(select(func.count()).select_from(OutboxMessage).where(
        ~select(ProcessedTask.idempotency_key).where(
            ProcessedTask.idempotency_key == OutboxMessage.idempotency_key).exists())) or 0


def _set_up(session: Session, rng: random.Random, count: int,
            procedure: str) -> tuple[data.Cast, int]:
    admin = add_user(session, name="评审办管理员", email="admin@demo.cn",
                     roles=[Role.ADMINISTRATOR])
    operator = add_user(session, name="运维值班员", email="operator@demo.cn",
                        roles=[Role.OPERATOR])
    rules = DEMO_RULES
    if procedure == "shenzhen":
        from mqa_workflow.demo.shenzhen import SHENZHEN_RULES

        rules = DEMO_RULES | SHENZHEN_RULES
    cycle = create_cycle(session, year=2026, name="2026年度深圳市市长质量奖（演示）",
                         rules=rules)
    apps, contacts = data.make_applicants(session, rng, cycle, count)
    leniency = data.make_reviewers(session, rng, _pool_size(count),
                                   [a.organization for a in apps])
    committee = data.make_committee(session, rng)
    declare_conflict(session, committee[0], apps[0].id, "曾为该单位提供质量管理咨询服务")
    quality = {a.id: rng.uniform(0.35, 0.85) for a in apps}
    return data.Cast(admin, contacts, quality, leniency, committee, operator), cycle.id


def _sign_in(session: Session, cast: data.Cast, cycle_id: int,
             password: str) -> dict[Role, str]:
    """Give one person of every role ``password`` (audited, as ``mqa user password`` does):
    the reviewer and committee member with the most work waiting, the first applicant's
    contact. Returns each role's e-mail address."""
    people = {Role.ADMINISTRATOR: cast.admin, Role.OPERATOR: cast.operator,
              Role.REVIEWER: _busiest_reviewer(session, cast, cycle_id),
              Role.COMMITTEE_MEMBER: cast.committee[-1],  # the first one is recused once
              Role.APPLICANT_CONTACT: cast.contacts[min(cast.contacts)]}
    for person in people.values():
        ended = set_password(session, person, password)
        audit.append(session, actor=cast.admin.email, trigger="set_password",
                     data={"user": person.email, "sessions_ended": ended})
    return {role: person.email for role, person in people.items()}


def _busiest_reviewer(session: Session, cast: data.Cast, cycle_id: int) -> User:
    """The reviewer with the most open assignments in the cycle (then the most
    assignments; the first reviewer before any are made), so the reviewer's pages have
    work on them."""
    busiest = session.scalar(
        select(ReviewAssignment.reviewer_id).join(Application).where(
            Application.cycle_id == cycle_id)
        .group_by(ReviewAssignment.reviewer_id)
        .order_by(func.sum(case((ReviewAssignment.status == AssignmentStatus.ASSIGNED, 1),
                                else_=0)).desc(),
                  func.count().desc(), ReviewAssignment.reviewer_id).limit(1))
    return session.get_one(User, min(cast.leniency) if busiest is None else busiest)


def _outcome(session: Session, cycle_id: int) -> DemoOutcome:
    """Each class's ranking (the one every page and export shows) with its decisions, and
    the applications never ranked (ineligible or withdrawn) apart."""
    outcome = DemoOutcome(cycle_id)
    outcome.states = dict(Counter(app.state for app in applications_of(session, cycle_id)))
    for award_class in CLASS_IDS:
        ranking = class_ranking(session, cycle_id, award_class)
        outcome.rankings[award_class] = [_ranked(session, entry.application, entry.position,
                                                 entry.document_review_total)
                                         for entry in ranking]
        ranked = {entry.application.id for entry in ranking}
        outcome.unranked += [_ranked(session, app, None, None)
                             for app in applications_of(session, cycle_id)
                             if app.award_class == award_class and app.id not in ranked]
    return outcome


def _ranked(session: Session, app: Application, position: int | None,
            document_review: Decimal | None) -> RankedApplication:
    score = session.get(ConsolidatedScore, app.id)
    decision = decision_of(session, app)
    return RankedApplication(app.id, app.title, position, document_review,
                             Decimal(score.total) if score else None, app.state,
                             decision.outcome if decision and decision.frozen else None)


def _pool_size(applications: int) -> int:
    """Reviewers in the demo's pool: generous for a small cycle, about one per two
    applications for a large one (capacity 8 each still leaves ample room for 3 reviews
    per application with qualification and conflicts taken out)."""
    return max(24, min(applications * 2, applications // 2 + 40))
