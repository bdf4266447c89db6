"""A Shenzhen cycle for the outcome pages, added to the small world of tests/e2e/world.py.

Four economic applications wait in consolidated scoring (two of one industry, a score tie
between ranks 2 and 3), so the candidate list (two places, at most one per industry)
skips one for balance; two proposed awards are under public notice (one with an open
objection); one application, voted for by the committee, waits for its notice; and the
three reviewers' document-review sheets, one of them lenient and one harsh, feed the
fairness report. States and scores are placed directly (test set-up only); the notices
and objections go through the engine and the service, as the office would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application
from mqa_workflow.clock import set_clock
from mqa_workflow.committee.service import cast_vote
from mqa_workflow.procedure import service as procedure
from mqa_workflow.reviews.models import ConsensusSheet, ReviewAssignment, ScoreSheet
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.states.engine import advance
from tests import factories
from tests.e2e.world import World

# A Wednesday, 10:00 in Shenzhen: the notice published today closes on 2026-06-17.
TODAY = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
SHENZHEN = {"optional_stages": ["defence", "social_evaluation", "public_notice"],
            "score_weights": {"document_review": 0.4, "defence": 0.2, "site_visit": 0.3,
                              "social_evaluation": 0.1},
            "candidates_per_class": 2, "selection_cap": 1, "committee_quorum": 0.5}
CYCLE_NAME = "2026年度深圳市市长质量奖（深圳程序）"
# name, industry, total, results subtotal (the tie-break)
SCORED = (("深圳华芯微电子有限公司", "电子信息", "431.2", "172.5"),
          ("深圳中科智联电子股份有限公司", "电子信息", "418.75", "170"),
          ("深圳康泰生物制品有限公司", "生物医药", "418.75", "165"),
          ("深圳精工装备制造有限公司", "先进制造", "377.1", "150"))


@dataclass
class OutcomeCases:
    cycle_id: int
    scored: list[int]  # rank order
    noticed: int  # proposed grand, an open objection against it
    quiet: int  # proposed encouragement, no objection
    waiting: int  # committee voted encouragement; the notice is not published yet
    objection: int


def score(session: object, application: Application, total: str, results: str) -> None:
    session.add(ConsolidatedScore(  # type: ignore[attr-defined]
        application_id=application.id, total=Decimal(total),
        document_review_total=Decimal(total), site_visit_total=Decimal(total), weights={},
        breakdown={"results": results, "categories": {}}))


def _sheets(session: object, world: World, applications: list[Application]) -> None:
    """Three reviewers score every application; 专家一 is 10 points (of 100) harsher than
    专家二 and 专家三 10 points more lenient, so the report has a leniency to show."""
    reviewers = [get_user(session, world.emails[k])  # type: ignore[arg-type]
                 for k in ("reviewer", "reviewer2", "conflicted")]
    for n, application in enumerate(applications):
        for bias, reviewer in zip((-10, 0, 10), reviewers, strict=True):
            assignment = ReviewAssignment(application_id=application.id,
                                          reviewer_id=reviewer.id, stage="document_review",
                                          status="submitted")
            session.add(assignment)  # type: ignore[attr-defined]
            session.flush()  # type: ignore[attr-defined]
            session.add(ScoreSheet(  # type: ignore[attr-defined]
                assignment_id=assignment.id, status="submitted",
                percentages=factories.everything(62 + 6 * n + bias)))
        session.add(ConsensusSheet(  # type: ignore[attr-defined]
            application_id=application.id, stage="document_review",
            percentages=factories.everything(62 + 6 * n), total=Decimal(310 + 30 * n),
            recorded_by=reviewers[0].id))


def add_outcome_cases(world: World) -> OutcomeCases:
    set_clock(lambda: TODAY)
    with world.database.session() as session:
        cycle = factories.cycle(session, SHENZHEN)
        cycle.name = CYCLE_NAME
        scored = []
        for name, industry, total, results in SCORED:
            app = factories.application(
                session, state="consolidated_scoring", award_cycle=cycle,
                org=factories.organization(session, name=name, industry=industry))
            score(session, app, total, results)
            scored.append(app)
        _sheets(session, world, scored)
        admin = get_user(session, world.emails["admin"])
        member = get_user(session, world.emails["committee"])
        decided = []
        for name, vote in (("深圳湾区物流集团有限公司", "grand"),
                           ("深圳绿源环保科技有限公司", "encouragement"),
                           ("深圳鹏城检测认证有限公司", "encouragement")):
            app = factories.application(session, state="committee_decision", award_cycle=cycle,
                                        org=factories.organization(session, name=name,
                                                                   industry="现代服务"))
            cast_vote(session, app, member, vote)
            decided.append(app)
        advance(session, decided[0].id, "announce_grand", admin)
        advance(session, decided[1].id, "announce_encouragement", admin)
        objection = procedure.file_objection(
            session, decided[0], filed_by="市民张某",
            grounds="申报的顾客满意度数据与第三方测评报告不符",
            evidence=["第三方满意度测评报告（2025）", "申报书第 3.3 条"])
        session.flush()
        return OutcomeCases(cycle.id, [a.id for a in scored], decided[0].id, decided[1].id,
                            decided[2].id, objection.id)
