"""What the feedback report (反馈报告) says, gathered once for the page, the PDF and the CLI.

The items are read from the last stage the team scored item by item (site visit, else
the defence panel, else document review): its consensus sheet is the basis of the
categories, sub-categories, items and bands; earlier stages stand beside it. Each item
carries its band from the scoring guide with the guide's own words for it (the level,
一般水平 … 卓越水平, where the guide names one, and the band's descriptors); the
economic class has its own six bands. The strengths and opportunities are the text the
team agreed at consensus (reviews/agreed_feedback.py), never a reviewer's own notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.clock import now, office_time
from mqa_workflow.committee.models import OUTCOME_LABELS, CommitteeDecision
from mqa_workflow.procedure.models import SocialEvaluation
from mqa_workflow.reports.charts import ItemBar, Series, bars_svg, radar_svg
from mqa_workflow.reviews.agreed_feedback import agreed_of
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage, SiteVisit
from mqa_workflow.reviews.site_visits import findings_shown
from mqa_workflow.scoring.models import ConsolidatedScore
from mqa_workflow.scoring.points import points
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import Band, Category, Item, ScoringGuide, Standard
from mqa_workflow.standards.sheet import ScoreBreakdown, score_sheet

STAGE_NAMES = {ReviewStage.DOCUMENT_REVIEW: "材料评审", ReviewStage.DEFENCE: "集中答辩",
               ReviewStage.SITE_VISIT: "现场评审"}
KIND_NAMES = {"process": "过程", "results": "结果"}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class BandShown:
    """An item's band as the scoring guide words it."""

    label: str  # 50–65%
    level: str  # 优良水平, or "" where the guide names no level (economic, results)
    meaning: list[str]  # the band's descriptors, each with its factor's name if tagged
    index: int  # its place among the guide's bands, lowest 0


@dataclass(frozen=True)
class ItemRow:
    code: str
    name: str
    kind: str  # 过程 / 结果
    maximum: int
    percentage: int
    points: Decimal
    band: BandShown
    earlier: list[tuple[str, int]]  # (stage name, percentage) of the earlier stages


@dataclass(frozen=True)
class Subtotal:
    code: str
    name: str
    maximum: int
    points: Decimal
    items: list[ItemRow]

    @property
    def share(self) -> Decimal:
        return self.points * HUNDRED / self.maximum


@dataclass(frozen=True)
class CategoryBlock(Subtotal):
    sub_categories: list[Subtotal] = field(default_factory=list)
    # the team's agreed text: (stage name, text), one per stage that wrote one
    strengths: list[tuple[str, str]] = field(default_factory=list)
    opportunities: list[tuple[str, str]] = field(default_factory=list)

    @property
    def all_items(self) -> list[ItemRow]:
        return self.items + [row for sub in self.sub_categories for row in sub.items]


@dataclass(frozen=True)
class StageTotal:
    name: str
    total: Decimal
    categories: dict[str, Decimal]
    weight: float | None = None  # in the consolidation, where there is one


@dataclass
class FeedbackReport:
    application: Application
    standard: Standard
    state_label: str
    generated_at: str  # Beijing time
    basis: str  # the stage name the items are read from ("" before any consensus)
    stages: list[StageTotal]
    categories: list[CategoryBlock]
    consolidated: ConsolidatedScore | None
    decision: str  # the committee's outcome in words, or ""
    social: SocialEvaluation | None
    visit: SiteVisit | None
    findings: list[dict[str, Any]]
    summary: list[str]  # the report's own sentences, from its figures
    agreed_summary: list[tuple[str, str]]  # (stage name, the team's summary)
    radar: Markup
    bars: Markup
    guides: list[ScoringGuide]
    links: dict[str, str] = field(default_factory=dict)  # the web's "下载 PDF", "返回"


def feedback_report(session: Session, application: Application) -> FeedbackReport:
    standard = load_standard(application.award_class)
    step = application.cycle.rules.percentage_steps.get(application.award_class)
    sheets = {ReviewStage(sheet.stage): sheet for sheet in session.scalars(
        select(ConsensusSheet).where(ConsensusSheet.application_id == application.id))}
    ordered = [stage for stage in ReviewStage if stage in sheets]
    breakdowns = {stage: score_sheet(standard, sheets[stage].percentages, step)
                  for stage in ordered}
    consolidated = session.get(ConsolidatedScore, application.id)
    weights = consolidated.weights if consolidated else {}
    stages = [StageTotal(STAGE_NAMES[s], b.total, dict(b.categories), weights.get(s.value))
              for s, b in breakdowns.items()]
    social = session.get(SocialEvaluation, application.id)
    if social is not None and "social_evaluation" in weights:
        stages.append(StageTotal("社会评价", social.satisfaction * 5, {},
                                 weights["social_evaluation"]))
    basis = ordered[-1] if ordered else None
    agreed = {STAGE_NAMES[s]: agreed_of(sheets[s]) for s in ordered}
    categories = ([_category(c, breakdowns[basis], breakdowns, basis, agreed)
                   for c in standard.categories] if basis else [])
    decision = session.get(CommitteeDecision, application.id)
    visit = session.get(SiteVisit, application.id)
    findings = findings_shown(visit) if visit and visit.reported_at else []
    report = FeedbackReport(
        application=application, standard=standard,
        state_label=ApplicationState(application.state).label,
        generated_at=office_time(now()), basis=STAGE_NAMES[basis] if basis else "",
        stages=stages, categories=categories, consolidated=consolidated,
        decision=OUTCOME_LABELS[decision.outcome] if decision else "", social=social,
        visit=visit, findings=findings, summary=[],
        agreed_summary=[(name, a["summary"]) for name, a in agreed.items() if a["summary"]],
        radar=_radar(standard, breakdowns), bars=_bars(categories, standard),
        guides=standard.scoring_guides)
    report.summary = summary_of(report)
    return report


def band_shown(guide: ScoringGuide, band: Band) -> BandShown:
    factors = {factor.code: factor.name for factor in guide.factors}
    meaning = [f"{factors.get(d.factor, d.factor)}：{d.text}" if d.factor else d.text
               for d in band.descriptors]
    return BandShown(band.label, band.level or "", meaning, guide.bands.index(band))


def _item(standard: Standard, item: Item, breakdown: ScoreBreakdown,
          breakdowns: dict[ReviewStage, ScoreBreakdown], basis: ReviewStage) -> ItemRow:
    scored = breakdown.items[item.code]
    return ItemRow(item.code, item.name, KIND_NAMES[item.kind], item.points, scored.percentage,
                   scored.points, band_shown(standard.guide(item.scoring_guide), scored.band),
                   [(STAGE_NAMES[s], b.items[item.code].percentage)
                    for s, b in breakdowns.items() if s != basis])


def _category(category: Category, breakdown: ScoreBreakdown,
              breakdowns: dict[ReviewStage, ScoreBreakdown], basis: ReviewStage,
              agreed: dict[str, dict[str, Any]]) -> CategoryBlock:
    standard = breakdown.standard

    def rows(items: list[Item]) -> list[ItemRow]:
        return [_item(standard, item, breakdown, breakdowns, basis) for item in items]

    said = {kind: [(stage, text) for stage, a in agreed.items()
                   if (text := a["categories"].get(category.code, {}).get(kind))]
            for kind in ("strengths", "opportunities")}
    return CategoryBlock(
        category.code, category.name, category.points, breakdown.categories[category.code],
        rows(category.items),
        [Subtotal(sub.code, sub.name, sub.points, breakdown.sub_categories[sub.code],
                  rows(sub.items)) for sub in category.sub_categories],
        said["strengths"], said["opportunities"])


def radar_axes(standard: Standard) -> list[tuple[str, str, int]]:
    """(code, name, maximum) per axis: the categories; a standard of three categories
    (the five non-economic classes) is drawn over its eight sub-categories, since a
    three-axis radar is a triangle that shows no profile."""
    if len(standard.categories) >= 5 or not standard.has_sub_categories:
        return [(c.code, c.name, c.points) for c in standard.categories]
    return [(s.code, s.name, s.points) for c in standard.categories for s in c.sub_categories]


def _radar(standard: Standard, breakdowns: dict[ReviewStage, ScoreBreakdown]) -> Markup:
    axes = radar_axes(standard)
    series = []
    for stage in reversed(list(breakdowns)):  # the basis (the last stage) first
        b = breakdowns[stage]
        found = b.categories | b.sub_categories
        series.append(Series(f"{STAGE_NAMES[stage]}共识评分",
                             [(name, float(found[code]), maximum)
                              for code, name, maximum in axes]))
    what = "类目" if len(axes) == len(standard.categories) else "评价类目（二级）"
    return radar_svg(series, title=f"{what}得分率雷达图")


def _bars(categories: list[CategoryBlock], standard: Standard) -> Markup:
    rows = [ItemBar(f"{row.code} {row.name}", row.percentage, row.band.index,
                    f"{row.percentage}% · {points(row.points)}/{row.maximum}")
            for block in categories for row in block.all_items]
    boundaries = sorted({band.low for guide in standard.scoring_guides
                         for band in guide.bands if band.low > 0})
    return bars_svg(rows, title="各条款得分率", boundaries=boundaries)


def summary_of(report: FeedbackReport) -> list[str]:
    """A few sentences from the report's own figures, to read before the tables."""
    lines = []
    score = report.consolidated
    if score is not None:
        share = score.total * HUNDRED / report.standard.total_points
        rank = f"，在本类别中排名第 {score.rank} 名" if score.rank else ""
        lines.append(f"综合得分 {points(score.total)} / {report.standard.total_points} 分"
                     f"（得分率 {points(share)}%）{rank}。")
    if report.decision:
        lines.append(f"评审委员会决定：{report.decision}。")
    if report.categories:
        ranked = sorted(report.categories, key=lambda c: c.share, reverse=True)
        lines.append(f"以{report.basis}共识评分为准，得分率最高的类目是"
                     f"{ranked[0].name}（{points(ranked[0].share)}%），最低的是"
                     f"{ranked[-1].name}（{points(ranked[-1].share)}%）。")
        counted = Counter((row.band.label, row.band.level)
                          for block in report.categories for row in block.all_items)
        order = {row.band.label: row.band.index
                 for block in report.categories for row in block.all_items}
        spread = "，".join(f"{label}{'（' + level + '）' if level else ''} {n} 项"
                          for (label, level), n in sorted(counted.items(),
                                                          key=lambda kv: -order[kv[0][0]]))
        lines.append(f"{sum(counted.values())} 个条款的评分区间：{spread}。")
    if report.social is not None:
        lines.append(f"社会评价满意度 {points(report.social.satisfaction)}%"
                     f"（{report.social.respondents} 份有效样本）。")
    if report.findings:
        verified = sum(1 for f in report.findings if f.get("verified") == "yes")
        lines.append(f"现场核查 {len(report.findings)} 个问题，其中 {verified} 个已核实。")
    return lines
