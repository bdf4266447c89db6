"""The demo's phases under the full Shenzhen procedure (``mqa demo --procedure shenzhen``):
eligibility rules with evidence, defence, site visit, social evaluation, a balanced
candidate list, a blinded committee, and a public notice with objections."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import ApplicationState as State
from mqa_workflow.clock import now, set_clock
from mqa_workflow.demo import data
from mqa_workflow.demo.phases import (
    DemoPhase,
    applications_of,
    document_review,
    review_stage,
    site_visit,
    submit_all,
    vote,
)
from mqa_workflow.procedure import service as procedure
from mqa_workflow.procedure.eligibility import RuleStatus
from mqa_workflow.procedure.models import CandidateDecision, PublicNotice
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage
from mqa_workflow.scoring.candidates import select_candidates
from mqa_workflow.standards.models import CLASS_IDS
from mqa_workflow.states.engine import advance

SHENZHEN_RULES = {
    "optional_stages": ["defence", "social_evaluation", "public_notice"],
    "score_weights": {"document_review": 0.3, "defence": 0.2, "site_visit": 0.4,
                      "social_evaluation": 0.1},
    "defence_panel_size": 3,
    "site_visits_per_class": 3,
    "candidates_per_class": 2,
    "selection_cap": 1,
    "selection_attribute": {c: "industry" for c in CLASS_IDS},
    "blind_committee": True,
    "eligibility": {"min_years_registered": 3, "penalty_free_years": 1,
                    "accident_free_years": 3, "award_waiting_years": 3},
}
DEFENCE_PASS = 250  # a defence consensus below half of the standard's points fails


def _facts(rng: random.Random, position: int) -> dict[str, object]:
    """Mostly clean records; one young company, one with a recent penalty, one whose
    accident record was not supplied (the check stays incomplete)."""
    facts: dict[str, object] = {
        "registered_on": date(rng.randrange(2000, 2020), rng.randrange(1, 13), 1).isoformat(),
        "penalties": [], "accidents": [], "past_awards": []}
    if position == 2:
        facts["registered_on"] = "2024-09-01"
    if position == 3:
        facts["penalties"] = [{"decided_on": "2025-12-15", "authority": "深圳市市场监督管理局",
                               "description": "产品抽检不合格，行政罚款"}]
    if position == 4:
        del facts["accidents"]
    return facts


def eligibility(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    for position, app in enumerate(applications_of(session, cycle_id)):
        review = procedure.run_eligibility_check(session, app, _facts(rng, position))
        failed = [r["evidence"] for r in review.report["results"]
                  if r["status"] == RuleStatus.FAILED]
        if failed:
            advance(session, app.id, "declare_ineligible", cast.admin,
                    reason="资格审核不通过：" + "；".join(failed))
        elif review.passed is None:
            advance(session, app.id, "confirm_eligible", cast.admin,
                    reason="安全事故记录经应急管理部门书面核实无重大事故，予以通过")
        else:
            advance(session, app.id, "confirm_eligible", cast.admin)


def defence(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    start = now() + timedelta(days=3)
    for n, app in enumerate(applications_of(session, cycle_id, State.DEFENCE)):
        slot = start.replace(hour=1, minute=0) + timedelta(minutes=40 * n)
        procedure.schedule_defence(session, app, slot, minutes=30, room="市民中心 B201")
    review_stage(session, rng, cast, cycle_id, State.DEFENCE, ReviewStage.DEFENCE)
    for app in applications_of(session, cycle_id, State.DEFENCE):
        sheet = session.scalar(select(ConsensusSheet).where(
            ConsensusSheet.application_id == app.id, ConsensusSheet.stage == ReviewStage.DEFENCE))
        passed = sheet is not None and sheet.total >= DEFENCE_PASS
        advance(session, app.id, "pass_defence" if passed else "fail_defence", cast.admin,
                reason=f"答辩共识得分 {sheet.total if sheet else '—'}（合格线 {DEFENCE_PASS}）")


def site_visit_and_social(session: Session, rng: random.Random, cast: data.Cast,
                          cycle_id: int) -> None:
    site_visit(session, rng, cast, cycle_id)
    for app in applications_of(session, cycle_id, State.SOCIAL_EVALUATION):
        satisfaction = min(99.5, max(60.0, cast.quality[app.id] * 100 + rng.gauss(10, 4)))
        procedure.record_social_evaluation(
            session, app, cast.admin, satisfaction=f"{satisfaction:.1f}",
            respondents=rng.randrange(200, 800), method="第三方机构公众满意度问卷调查")
        advance(session, app.id, "finish_social_evaluation", cast.admin)


def candidates(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    cycle = applications_of(session, cycle_id)[0].cycle
    for award_class in CLASS_IDS:
        if any(a.award_class == award_class
               for a in applications_of(session, cycle_id, State.CONSOLIDATED_SCORING)):
            select_candidates(session, cycle, award_class)
    for app in applications_of(session, cycle_id, State.CONSOLIDATED_SCORING):
        decision = session.get(CandidateDecision, app.id)
        assert decision is not None
        advance(session, app.id, "refer_to_committee" if decision.selected else "not_selected",
                cast.admin, reason=decision.reason)


def notice(session: Session, rng: random.Random, cast: data.Cast, cycle_id: int) -> None:
    """One objection upheld (the candidate is removed), one dismissed; then the period
    closes and the other awards become final."""
    announced = applications_of(session, cycle_id, State.PUBLIC_NOTICE)
    if announced:
        upheld = procedure.file_objection(
            session, announced[0], filed_by="匿名举报人",
            grounds="申报材料中的顾客满意度数据与第三方报告不符",
            evidence=["第三方满意度测评报告（2025）", "申报书第 3.3 条结果数据"])
        procedure.resolve_objection(session, upheld, cast.admin, uphold=True,
                                    reason="经调查，申报数据口径与第三方报告不一致且无法说明")
        advance(session, announced[0].id, "remove_after_objection", cast.admin,
                reason="异议成立：" + upheld.grounds)
    for app in announced[1:2]:
        dismissed = procedure.file_objection(session, app, filed_by="市民",
                                             grounds="质疑获奖项目的服务覆盖范围",
                                             evidence=["媒体报道截图"])
        procedure.resolve_objection(session, dismissed, cast.admin, uphold=False,
                                    reason="经核查，服务覆盖范围与申报一致，异议不成立")
    closes = max((n.closes_on for n in session.scalars(select(PublicNotice))),
                 default=now().date())
    after = datetime.combine(closes + timedelta(days=1), datetime.min.time(), UTC)
    set_clock(lambda: after)  # the simulated timeline moves past the notice period
    for app in applications_of(session, cycle_id, State.PUBLIC_NOTICE):
        award = session.get(PublicNotice, app.id)
        assert award is not None
        advance(session, app.id, f"confirm_{award.proposed_award}", cast.admin,
                reason=f"公示期满（{award.published_on}至{award.closes_on}），无成立的异议")


PHASES: list[DemoPhase] = [
    DemoPhase(State.DRAFT, "submission", submit_all, 14),
    DemoPhase(State.ELIGIBILITY_CHECK, "eligibility check (rules with evidence)", eligibility, 0),
    DemoPhase(State.DOCUMENT_REVIEW, "document review", document_review, 14),
    DemoPhase(State.DEFENCE, "defence (集中答辩)", defence, 14),
    DemoPhase(State.SITE_VISIT, "site visit and social evaluation", site_visit_and_social, 14),
    DemoPhase(State.CONSOLIDATED_SCORING, "candidate list (差额选拔)", candidates, 14),
    DemoPhase(State.COMMITTEE_DECISION, "committee decision", vote, 0),
    # objections come while the notice is open
    DemoPhase(State.PUBLIC_NOTICE, "public notice (公示) and objections", notice, 2),
]
