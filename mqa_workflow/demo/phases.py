"""The demo's phases shared by both procedures (the plain one in :mod:`.service`, the
Shenzhen one in :mod:`.shenzhen`): each does one stage's work for every application of the
cycle, through the same domain functions the commands use."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.applications.models import ApplicationState as State
from mqa_workflow.clock import office_today
from mqa_workflow.committee.service import cast_vote, recused_member_ids, tally
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.demo import data
from mqa_workflow.reviews.agreed_feedback import record_agreed_feedback
from mqa_workflow.reviews.bulk_scoring import (
    Consensus,
    Submission,
    record_consensuses,
    spreads_of_many,
    submit_sheets,
)
from mqa_workflow.reviews.consensus import Spreads
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ReviewStage
from mqa_workflow.reviews.site_visits import schedule_site_visit, submit_visit_report
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.standards.sheet import effective_step
from mqa_workflow.states.engine import advance
from mqa_workflow.states.shortlisting import shortlist_class

DEMO_ISSUES = ("核实质量损失率统计口径", "核实顾客满意度测评方法")
DEMO_FINDINGS = {
    "核实质量损失率统计口径": [("yes", "统计口径与国家标准一致，抽查三个月台账无误。"),
                              ("partly", "口径一致，但外部损失未计入售后索赔费用。")],
    "核实顾客满意度测评方法": [("yes", "第三方测评，样本量与抽样方法合理。"),
                              ("no", "测评由销售部门自行组织，未见独立性保障。")],
}
VOTE_OUTCOME_TRIGGER = {"grand": "award_grand", "encouragement": "award_encouragement",
                        "none": "decline_award"}


Phase = Callable[[Session, random.Random, data.Cast, int], None]
# Applications a phase works on between commits: each commit hands their queued work to the
# workers while the phase goes on with the next ones (one commit per phase left them idle).
BATCH = 200


@dataclass(frozen=True)
class DemoPhase:
    stage: str  # the state the applications wait in while this phase's work is to do
    label: str
    step: Phase
    days: int  # after the phase before


def applications_of(session: Session, cycle_id: int, state: str | None = None) -> list[Application]:
    query = select(Application).where(Application.cycle_id == cycle_id)
    if state:
        query = query.where(Application.state == state)
    return list(session.scalars(query.order_by(Application.id)))


def batches(session: Session, cycle_id: int, state: str | None = None,
            size: int = BATCH) -> Iterator[list[Application]]:
    """The applications :func:`applications_of` lists, loaded ``size`` at a time, with a
    commit after the work on each batch is done. What the session holds is expired at each
    commit, so nothing the workers changed meanwhile is seen stale."""
    query = select(Application.id).where(Application.cycle_id == cycle_id)
    if state:
        query = query.where(Application.state == state)
    ids = list(session.scalars(query.order_by(Application.id)))
    for start in range(0, len(ids), size):
        yield list(session.scalars(select(Application).where(
            Application.id.in_(ids[start:start + size])).order_by(Application.id)))
        session.commit()
        session.expire_all()  # the workers may have changed what this session holds


def in_batches(session: Session, cycle_id: int, state: str | None = None,
               size: int = BATCH) -> Iterator[Application]:
    """:func:`batches`, one application at a time."""
    for batch in batches(session, cycle_id, state, size):
        yield from batch


def submit_all(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    for app in in_batches(session, cycle_id):
        advance(session, app.id, "submit", cast.contacts[app.id])
        advance(session, app.id, "begin_eligibility_check", cast.admin)


def check_eligibility(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    apps = applications_of(session, cycle_id)
    returned, ineligible = apps[1], apps[-1] if len(apps) > 6 else None
    advance(session, returned.id, "return_for_correction", cast.admin,
            reason="营业执照副本扫描件不清晰，请补正")
    advance(session, returned.id, "resubmit", cast.contacts[returned.id])
    if ineligible is not None:
        advance(session, ineligible.id, "declare_ineligible", cast.admin,
                reason="注册登记未满3年，不符合申报条件")
    for app in in_batches(session, cycle_id, State.ELIGIBILITY_CHECK):
        advance(session, app.id, "confirm_eligible", cast.admin)


def _score(rng: random.Random, app: Application, quality: float, bias: float,
           base: dict[str, int] | None = None) -> dict[str, int]:
    standard = load_standard(app.award_class)
    step = effective_step(standard.guide("process"),
                          app.cycle.rules.percentage_steps.get(app.award_class))
    sheet = {}
    for item in standard.scored_items():
        centre = base[item.code] / 100 if base else quality
        value = min(1.0, max(0.0, centre + bias + rng.gauss(0, 0.08)))
        sheet[item.code] = int(step * round(value * 100 / step))
    return sheet


def review_stage(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int,
                  state: str, stage: ReviewStage) -> None:
    """Every team scores, then its leader records the consensus and the agreed feedback;
    a batch of applications at a time (their sheets and consensus sheets each stored with
    one INSERT, the agreed feedback one application at a time with its audit record)."""
    for apps in batches(session, cycle_id, state):
        first = stage is ReviewStage.DOCUMENT_REVIEW  # later stages score from its consensus
        bases = {} if first else _document_consensus(session, apps)
        teams = _teams(session, apps, stage)
        submissions = []
        for app in apps:  # rng drawn per application and reviewer, in the team's order
            for assignment in teams[app.id]:
                sheet = _score(rng, app, cast.quality[app.id],
                               cast.leniency[assignment.reviewer_id], bases.get(app.id))
                comments = {code: _comment(code, pct) for code, pct in sheet.items()}
                submissions.append(Submission(assignment, sheet, comments))
        submit_sheets(session, submissions)
        found = spreads_of_many(session, apps, stage)
        entries = [_leaders_consensus(app, teams[app.id], found[app.id]) for app in apps]
        agreed = record_consensuses(session, stage, entries, found)
        for entry in entries:
            _agree(session, entry.application, stage, entry.leader, agreed[entry.application.id])


def _leaders_consensus(app: Application, team: list[ReviewAssignment],
                       found: Spreads) -> Consensus:
    """The leader settles each flagged item on the team's median."""
    leader = next(a.reviewer for a in team if a.is_leader)
    return Consensus(app, leader, {
        code: (int(sorted(values)[len(values) // 2]), "评审组讨论后取中位数")
        for code, (values, _, flagged) in found.items() if flagged})


def _document_consensus(session: Session, apps: list[Application]) -> dict[int, dict[str, int]]:
    """The document review's consensus percentages of each application that has one."""
    return {sheet.application_id: sheet.percentages for sheet in session.scalars(
        select(ConsensusSheet).where(
            ConsensusSheet.application_id.in_([app.id for app in apps]),
            ConsensusSheet.stage == ReviewStage.DOCUMENT_REVIEW.value))}


def _teams(session: Session, apps: list[Application], stage: ReviewStage
           ) -> dict[int, list[ReviewAssignment]]:
    """Each application's assigned team of ``stage`` (reviewers loaded), in one query."""
    teams: dict[int, list[ReviewAssignment]] = {app.id: [] for app in apps}
    for assignment in session.scalars(select(ReviewAssignment).where(
            ReviewAssignment.application_id.in_(list(teams)),
            ReviewAssignment.stage == stage.value,
            ReviewAssignment.status == "assigned")
            .options(joinedload(ReviewAssignment.reviewer)).order_by(ReviewAssignment.id)):
        teams[assignment.application_id].append(assignment)
    return teams


def _agree(session: Session, app: Application, stage: ReviewStage, leader: User,
           percentages: dict[str, int]) -> None:
    """The team's agreed feedback, as the leader writes it after the consensus: per
    category the items that reached 60 % as strengths, the others as opportunities."""
    categories = {}
    for category in load_standard(app.award_class).categories:
        items = list(category.scored_items())
        good = "、".join(i.name for i in items if percentages[i.code] >= 60)
        weak = "、".join(i.name for i in items if percentages[i.code] < 60)
        categories[category.code] = {
            "strengths": f"{good}：方法系统、展开充分，结果呈良好趋势" if good else "",
            "opportunities": f"{weak}：方法的展开与结果的对比分析有待加强" if weak else ""}
    record_agreed_feedback(session, app, stage, leader, categories=categories,
                           summary="评审组经讨论，就各类目的优势与改进机会达成以下共识。")


def _comment(code: str, percentage: int) -> dict[str, str]:
    if percentage >= 60:
        return {"strengths": f"{code}：方法系统、展开充分，结果呈良好趋势", "opportunities": ""}
    return {"strengths": "", "opportunities": f"{code}：方法的展开与结果的对比分析有待加强"}


def document_review(session: Session, rng: random.Random, cast: data.Cast,
                     cycle_id: int) -> None:
    review_stage(session, rng, cast, cycle_id, State.DOCUMENT_REVIEW, ReviewStage.DOCUMENT_REVIEW)
    cycle = session.get(AwardCycle, cycle_id)
    assert cycle is not None
    for award_class in CLASS_IDS:
        shortlist_class(session, cycle, award_class, cast.admin)


def site_visit(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    for app in applications_of(session, cycle_id, State.SITE_VISIT):
        # Visited today on the demo's timeline: the report is written once the visit began.
        schedule_site_visit(session, app, office_today(), list(DEMO_ISSUES))
    review_stage(session, rng, cast, cycle_id, State.SITE_VISIT, ReviewStage.SITE_VISIT)
    for app in in_batches(session, cycle_id, State.SITE_VISIT):
        leader = session.scalars(select(ReviewAssignment).where(
            ReviewAssignment.application_id == app.id, ReviewAssignment.is_leader.is_(True),
            ReviewAssignment.stage == ReviewStage.SITE_VISIT.value)).first()
        assert leader is not None
        findings = [{"issue": issue, "verified": verified, "finding": text}
                    for issue, (verified, text) in zip(
                        DEMO_ISSUES, (rng.choice(DEMO_FINDINGS[issue]) for issue in DEMO_ISSUES),
                        strict=True)]
        submit_visit_report(session, app, leader.reviewer, findings,
                            "现场核查确认申报材料所述做法已在各部门展开，关键结果数据真实。")
        social = app.cycle.rules.uses("social_evaluation")
        advance(session, app.id, "begin_social_evaluation" if social else "finish_site_visit",
                cast.admin)


def refer(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    for app in in_batches(session, cycle_id, State.CONSOLIDATED_SCORING):
        advance(session, app.id, "refer_to_committee", cast.admin)


def vote(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    for app in in_batches(session, cycle_id, State.COMMITTEE_DECISION):
        score = session.get(ConsolidatedScore, app.id)
        assert score is not None
        choice = _merit(score)
        recused = recused_member_ids(session, app.id)
        for member in cast.committee:
            if member.id not in recused:
                vote = choice if rng.random() > 0.15 else "none"
                cast_vote(session, app, member, vote)
        outcome = tally(session, app)
        trigger = VOTE_OUTCOME_TRIGGER[outcome.outcome or "none"]
        if outcome.problems:  # e.g. the class's quota is already used
            trigger = "decline_award"
        if app.cycle.rules.uses("public_notice") and trigger != "decline_award":
            trigger = trigger.replace("award_", "announce_")
        advance(session, app.id, trigger, cast.admin, reason=_tally_text(outcome.counts))


def _merit(score: ConsolidatedScore) -> str:
    """How the demo's committee members judge: rank and score against the standard."""
    if score.rank == 1 and score.total >= 300:
        return "grand"
    return "encouragement" if score.total >= 250 else "none"


def _tally_text(counts: dict[str, int]) -> str:
    return f"表决：大奖 {counts['grand']} 票，鼓励奖 {counts['encouragement']} 票，" \
           f"不予授奖 {counts['none']} 票"
