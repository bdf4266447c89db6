"""Commands of the Shenzhen procedure's stages: eligibility, defence, social evaluation,
candidate list, public notice and objections, fair-scoring figures."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.service import get_application
from mqa_workflow.audit.checkpoints import notice_anchor
from mqa_workflow.cli.console import console, fail
from mqa_workflow.cli.imports import run_import, write_template
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    application_argument,
    in_transaction,
    read_json_object,
)
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import NotFoundError
from mqa_workflow.procedure import service
from mqa_workflow.procedure.models import EligibilityReview, Objection, PublicNotice
from mqa_workflow.scoring import candidates
from mqa_workflow.scoring.calibration import (
    Calibration,
    TauSummary,
    mean_taus,
    parse_biases,
    reviewers_for_load,
)
from mqa_workflow.scoring.fairness import FairnessReport, fairness_report

eligibility_app = typer.Typer(help="Eligibility check (资格审核) against the cycle's rules.",
                              no_args_is_help=True)
defence_app = typer.Typer(help="Defence (集中答辩).", no_args_is_help=True)
social_app = typer.Typer(help="Social evaluation (社会评价).", no_args_is_help=True)
candidates_app = typer.Typer(help="Competitive selection (差额选拔).", no_args_is_help=True)
notice_app = typer.Typer(help="Public notice (公示) and objections (异议).",
                         no_args_is_help=True)


@eligibility_app.command("check")
def check(
    application_id: int = application_argument(),
    facts: Path = typer.Option(..., help='JSON: {"registered_on": "YYYY-MM-DD", "penalties": '
                                         '[…], "accidents": […], "past_awards": […]}.'),
    actor: str | None = actor_option(),
) -> None:
    """Check every eligibility rule of the cycle and show the evidence."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="check eligibility")
    data = read_json_object(facts)
    review = in_transaction(lambda s: service.run_eligibility_check(
        s, get_application(s, application_id), data), dispatch=False, check=admin)
    _print_review(review)


@eligibility_app.command("import")
def import_facts_file(
    file: Path = typer.Argument(..., exists=True,
                                help="CSV or XLSX (see `mqa eligibility template`)."),
    actor: str | None = actor_option(),
) -> None:
    """Check many applications at once from a file of facts, one row a fact: every bad
    row is reported with its number, nothing stored unless every row is good."""
    run_import(file, actor, kind="eligibility facts", required=("application", "kind"),
               run=lambda s, rows, who: len(service.import_facts(s, rows)))


@eligibility_app.command("template")
def facts_template(out: Path = typer.Option(..., help="A .csv or .xlsx file.")) -> None:
    """Write the eligibility facts' import template with example rows."""
    write_template(out, service.FACT_COLUMNS, service.FACT_TEMPLATE_ROWS, "eligibility facts")


@eligibility_app.command("show")
def show(application_id: int = application_argument()) -> None:
    """Show the last eligibility check with its evidence."""

    def work(session: Session) -> EligibilityReview:
        review = session.get(EligibilityReview, application_id)
        if review is None:
            raise NotFoundError(f"application {application_id} has not been checked")
        return review

    _print_review(in_transaction(work, dispatch=False))


def _print_review(review: EligibilityReview) -> None:
    console.print(f"outcome: [bold]{review.report['outcome']}[/] "
                  f"(as of {review.report['as_of']})")
    for result in review.report["results"]:
        console.print(f"  {result['status']:<11} {result['title']}: {result['evidence']}",
                      highlight=False)
    if review.passed is not True:
        console.print("confirming anyway is an override: "
                      "mqa case advance ID confirm_eligible --reason '…'")


@defence_app.command("schedule")
def schedule(
    application_id: int = application_argument(),
    at: datetime = typer.Option(..., help="Start, ISO date-time with offset "
                                          "(2026-07-01T09:00+08:00)."),
    minutes: int = typer.Option(30, help="Length of the slot."),
    room: str = typer.Option("", help="Room."),
    actor: str | None = actor_option(),
) -> None:
    """Book the application's presentation slot (slots of a class and room never overlap)."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="schedule defences")
    if at.tzinfo is None:
        fail("--at needs a UTC offset, e.g. 2026-07-01T09:00+08:00", code=2)
    in_transaction(lambda s: service.schedule_defence(s, get_application(s, application_id),
                                                      at, minutes, room),
                   dispatch=False, check=admin)
    console.print(f"defence of application {application_id} at {at.isoformat()}")


@social_app.command("record")
def record(
    application_id: int = application_argument(),
    satisfaction: str = typer.Option(..., help="Satisfaction percentage, 0–100."),
    respondents: int = typer.Option(..., help="How many responded."),
    method: str = typer.Option(..., help="How the evaluation was carried out."),
    actor: str | None = actor_option(),
) -> None:
    """Record the social evaluation's result, a scored input to consolidation."""
    who = acting(actor, Role.ADMINISTRATOR, doing="record the social evaluation")
    in_transaction(lambda s: service.record_social_evaluation(
        s, get_application(s, application_id), who(s), satisfaction=satisfaction,
        respondents=respondents, method=method), dispatch=False)
    console.print(f"social evaluation of application {application_id}: {satisfaction}%")


@candidates_app.command("select")
def select_cmd(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str = typer.Option(..., "--class", help="Award class."),
    actor: str | None = actor_option(),
) -> None:
    """Draw the candidate list by score, keeping balance; say why each is in or out."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="select the candidates")
    result = in_transaction(lambda s: candidates.select_candidates(s, get_cycle(s, cycle),
                                                                award_class),
                            dispatch=False, check=admin)
    for entry in result.entries:
        mark = "in " if entry.selected else "out"
        console.print(f"{mark} #{entry.rank} application {entry.application_id} "
                      f"{entry.score}: {entry.reason}", highlight=False)


@notice_app.command("show")
def notice_show(application_id: int = application_argument()) -> None:
    """The notice's dates and every objection with its resolution."""

    def work(session: Session) -> tuple[PublicNotice, list[Objection]]:
        notice = session.get(PublicNotice, application_id)
        if notice is None:
            raise NotFoundError(f"application {application_id} has no public notice")
        objections = list(session.scalars(select(Objection).where(
            Objection.application_id == application_id).order_by(Objection.id)))
        return notice, objections

    notice, objections = in_transaction(work, dispatch=False)
    anchor = in_transaction(lambda s: notice_anchor(s, application_id), dispatch=False)
    console.print(f"proposed {notice.proposed_award}; published {notice.published_on}, "
                  f"closes {notice.closes_on}")
    if anchor:  # printed with the notice: the public can hold the office to this root
        console.print(f"审计锚点 audit anchor: checkpoint {anchor.number} ({anchor.at}), "
                      f"root {anchor.root}", soft_wrap=True)
    for objection in objections:
        console.print(f"  objection {objection.id} ({objection.filed_on}): {objection.status}"
                      f" — {objection.grounds} {objection.resolution}", highlight=False)


@notice_app.command("object")
def object_cmd(
    application_id: int = application_argument(),
    by: str = typer.Option(..., help="Who files it (kept confidential)."),
    grounds: str = typer.Option(..., help="What the objection is."),
    evidence: list[str] = typer.Option(..., help="Evidence; repeat."),
    actor: str | None = actor_option(),
) -> None:
    """File an objection while the notice is open (the office records it)."""
    admin = acting(actor, Role.ADMINISTRATOR, doing="record objections")
    objection = in_transaction(lambda s: service.file_objection(
        s, get_application(s, application_id), filed_by=by, grounds=grounds,
        evidence=evidence), dispatch=False, check=admin)
    console.print(f"objection {objection.id} filed")


@notice_app.command("resolve")
def resolve(
    objection_id: int = typer.Argument(..., help="Objection id."),
    uphold: bool = typer.Option(..., "--uphold/--dismiss", help="The investigation's verdict."),
    reason: str = typer.Option(..., help="The finding."),
    actor: str | None = actor_option(),
) -> None:
    """Resolve an objection after investigation (an upheld one removes the candidate via
    `mqa case advance ID remove_after_objection`)."""
    who = acting(actor, Role.ADMINISTRATOR, doing="resolve objections")

    def work(session: Session) -> str:
        objection = session.get(Objection, objection_id)
        if objection is None:
            raise NotFoundError(f"no objection {objection_id}")
        return service.resolve_objection(session, objection, who(session),
                                         uphold=uphold, reason=reason).status

    console.print(f"objection {objection_id}: {in_transaction(work, dispatch=False)}")


fairness_app = typer.Typer(help="Fair scoring: reviewer calibration and agreement.",
                           no_args_is_help=True)


@fairness_app.command("report")
def fairness(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str = typer.Option(..., "--class", help="Award class."),
    stage: str = typer.Option("document_review", help="Which stage's sheets."),
) -> None:
    """Totals calibrated for reviewer leniency, with intervals, beside the official
    consensus; each reviewer's leniency; per-item agreement."""
    report = in_transaction(lambda s: fairness_report(s, get_cycle(s, cycle).id, award_class,
                                                      stage), dispatch=False)
    calibration = report.calibration
    level = f"{calibration.confidence:.0%}"
    table = Table("申报 application", "共识分（正式）consensus", "评分表 sheets",
                  "原始均分 raw mean", "校准后 calibrated", f"{level} 区间 interval",
                  "连通部分 part", title=f"{stage}：校准仅供参考，正式结果以共识分为准 "
                  "(calibration is for reference; the consensus is official)",
                  title_justify="left")
    for row in report.applications:
        figures = row.calibration
        interval = "—" if figures.low is None else f"{figures.low:.1f} – {figures.high:.1f}"
        table.add_row(str(row.application_id), str(row.consensus or "—"), str(figures.sheets),
                      f"{figures.raw_mean:.2f}", f"{figures.calibrated:.2f}", interval,
                      str(figures.component))
    console.print(table)
    _print_reviewers(calibration)
    _print_calibration_verdict(report)
    agreement = Table("item", "Krippendorff α", "mean |deviation|")
    for code, figures in report.agreement.items():
        alpha = "—" if figures.alpha is None else f"{figures.alpha:.2f}"
        mad = "—" if figures.mean_absolute_deviation is None else (
            f"{figures.mean_absolute_deviation:.1f}")
        agreement.add_row(code, alpha, mad)
    console.print(agreement)


def _print_reviewers(calibration: Calibration) -> None:
    table = Table("评审员 reviewer", "评分表 sheets", "宽严度 leniency (points)",
                  "± 标准差 sd", "连通部分 part", "说明 note",
                  title="宽严度：正数偏宽，负数偏严 (leniency: + lenient, − harsh)",
                  title_justify="left")
    for r in sorted(calibration.reviewers.values(), key=lambda r: (len(r.reviewer), r.reviewer)):
        table.add_row(r.reviewer, str(r.sheets), f"{r.leniency:+.1f}",
                      "—" if r.sd is None else f"{r.sd:.1f}", str(r.component), r.note)
    console.print(table)


def _print_calibration_verdict(report: FairnessReport) -> None:
    calibration = report.calibration
    parts = len(calibration.components)
    console.print(f"连通部分 {parts} 个 ({parts} connected part{'s' * (parts != 1)} of the "
                  "reviewer–application graph; no adjustment across parts)")
    if calibration.noise_sd is not None:
        console.print(f"评分噪声 σ = {calibration.noise_sd:.1f}, 评审员宽严差异 τ = "
                      f"{calibration.leniency_sd or 0:.1f} points (noise, leniency spread)")
    for note in calibration.notes:
        console.print(f"不作调整 no adjustment: {note}")
    for part in calibration.components:
        if part.note:
            console.print(f"连通部分 part {part.number}: {part.note}")
    if not report.reorders:
        console.print("没有得到区间支持的排序变化，以共识分排序为准 "
                      "(no reorder is supported by the intervals: the official order stands)")
    for reorder in report.reorders:
        console.print(f"申报 #{reorder.above} 校准后明显高于 #{reorder.below}（区间不重叠）"
                      f" (calibrated, #{reorder.above} is clearly above #{reorder.below})")


class Assignment(StrEnum):
    RANDOM = "random"
    CLUSTERED = "clustered"


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


@fairness_app.command("simulate")
def simulate(
    seeds: int = typer.Option(20, min=1, help="How many simulated cycles (seeds 0, 1, …)."),
    applications: int = typer.Option(30, min=4, help="Applications per simulated cycle."),
    reviewers: int = typer.Option(5, min=1, help="Reviewers in the pool."),
    per_application: int = typer.Option(3, min=1, help="Reviewers per application."),
    per_reviewer: int | None = typer.Option(
        None, min=1, help="Sheets per reviewer instead of --reviewers: the pool is sized "
                          "so each reviewer gets about this many."),
    biases: list[str] = typer.Option(
        ["15", "10", "0"], help="Reviewer biases, percentage points: a spread (15 means "
                                "evenly −15 … +15) or a list (-15,0,15); repeat for more rows."),
    assignment: Assignment = typer.Option(
        Assignment.RANDOM, help="random, or clustered: reviewers see their own industries' "
                                "applications, whose quality differs by industry."),
    industries: int = typer.Option(3, min=1, help="Industries (clustered assignment)."),
    industry_spread: float = typer.Option(
        10.0, min=0, help="Industries' quality differs evenly by ± this many points."),
    items: int = typer.Option(3, min=1, help="Items per sheet."),
    noise: float = typer.Option(5.0, min=0, help="Each score's random error (sd, points)."),
    output: Output = typer.Option(Output.TABLE, "--format",
                                  help="table, or json: every cycle's applications."),
) -> None:
    """Reviewers biased by known amounts: Kendall τ between the true order and the ranking
    from raw means, from calibrated totals, and from unbiased reviewers (the ceiling)."""
    try:
        pool = reviewers if per_reviewer is None else reviewers_for_load(
            applications, per_application, per_reviewer)
        if per_application > pool:
            raise ValueError("--per-application cannot exceed --reviewers")
        rows = [(parse_biases(text, pool), text) for text in biases]
        common = {"n_applications": applications, "n_reviewers": pool,
                  "reviewers_per_application": per_application, "noise": noise,
                  "n_items": items, "assignment": assignment.value, "industries": industries,
                  "industry_spread": industry_spread}
        summaries = [(text, values, mean_taus(range(seeds), biases=values, **common))
                     for values, text in rows]
    except ValueError as error:
        fail(str(error), code=2)
    if output is Output.JSON:
        typer.echo(json.dumps(simulation_json(common, summaries), ensure_ascii=False, indent=1))
        return
    table = Table("reviewer biases (percentage points)", "τ raw means", "τ calibrated",
                  "τ unbiased reviewers (ceiling)")
    for text, values, summary in summaries:
        shown = (", ".join(f"{b:+g}" for b in values) if "," in text
                 else f"±{text.lstrip('±')}, spread evenly")
        table.add_row(shown, f"{summary.raw:.3f}", f"{summary.calibrated:.3f}",
                      f"{summary.unbiased:.3f}")
    console.print(table)
    console.print(f"Kendall τ-b, mean over {seeds} seeds; 1.0 is the true order. {applications} "
                  f"applications, {pool} reviewers, {per_application} per application, "
                  f"{assignment.value} assignment, noise sd {noise:g}.")


def simulation_json(common: dict[str, object],
                    summaries: list[tuple[str, list[float], TauSummary]]) -> dict[str, object]:
    """Every simulated cycle, application by application, so anyone can recompute τ."""
    return {
        "parameters": common,
        "scenarios": [{
            "biases": values,
            "mean_tau_raw": summary.raw,
            "mean_tau_calibrated": summary.calibrated,
            "mean_tau_unbiased": summary.unbiased,
            "cycles": [{
                "seed": result.seed,
                "tau_raw": result.tau_raw,
                "tau_calibrated": result.tau_calibrated,
                "tau_unbiased": result.tau_unbiased,
                "components": result.components,
                "applications": [{
                    "application": a.application, "industry": a.industry,
                    "true_quality": round(a.true_quality, 4),
                    "true_total": round(a.true_total, 4),
                    "raw_mean_total": round(a.raw_mean, 4),
                    "calibrated_total": round(a.calibrated, 4),
                    "unbiased_mean_total": round(a.unbiased_mean, 4),
                } for a in result.applications],
            } for result in summary.results],
        } for _, values, summary in summaries],
    }
