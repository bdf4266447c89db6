"""Commands of the Shenzhen procedure's stages: eligibility, defence, social evaluation,
candidate list, public notice and objections, fair-scoring figures."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.service import get_application
from mqa_workflow.audit.checkpoints import notice_anchor
from mqa_workflow.cli_support import actor_option, in_transaction, read_json_object, resolve_actor
from mqa_workflow.console import console, fail
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import NotFoundError
from mqa_workflow.procedure import service
from mqa_workflow.procedure.models import EligibilityReview, Objection, PublicNotice
from mqa_workflow.scoring.fairness import fairness_report
from mqa_workflow.shenzhen.fairness import mean_taus

eligibility_app = typer.Typer(help="Eligibility check (资格审核) against the cycle's rules.",
                              no_args_is_help=True)
defence_app = typer.Typer(help="Defence (集中答辩).", no_args_is_help=True)
social_app = typer.Typer(help="Social evaluation (社会评价).", no_args_is_help=True)
candidates_app = typer.Typer(help="Competitive selection (差额选拔).", no_args_is_help=True)
notice_app = typer.Typer(help="Public notice (公示) and objections (异议).",
                         no_args_is_help=True)


@eligibility_app.command("check")
def check(
    application_id: int = typer.Argument(..., help="Application id."),
    facts: Path = typer.Option(..., help='JSON: {"registered_on": "YYYY-MM-DD", "penalties": '
                                         '[…], "accidents": […], "past_awards": […]}.'),
) -> None:
    """Check every eligibility rule of the cycle and show the evidence."""
    data = read_json_object(facts)
    review = in_transaction(lambda s: service.run_eligibility_check(
        s, get_application(s, application_id), data), dispatch=False)
    _print_review(review)


@eligibility_app.command("show")
def show(application_id: int = typer.Argument(..., help="Application id.")) -> None:
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
    application_id: int = typer.Argument(..., help="Application id."),
    at: datetime = typer.Option(..., help="Start, ISO date-time with offset "
                                          "(2026-07-01T09:00+08:00)."),
    minutes: int = typer.Option(30, help="Length of the slot."),
    room: str = typer.Option("", help="Room."),
) -> None:
    """Book the application's presentation slot (slots of a class and room never overlap)."""
    if at.tzinfo is None:
        fail("--at needs a UTC offset, e.g. 2026-07-01T09:00+08:00", code=2)
    in_transaction(lambda s: service.schedule_defence(s, get_application(s, application_id),
                                                      at, minutes, room), dispatch=False)
    console.print(f"defence of application {application_id} at {at.isoformat()}")


@social_app.command("record")
def record(
    application_id: int = typer.Argument(..., help="Application id."),
    satisfaction: str = typer.Option(..., help="Satisfaction percentage, 0–100."),
    respondents: int = typer.Option(..., help="How many responded."),
    method: str = typer.Option(..., help="How the evaluation was carried out."),
    actor: str | None = actor_option(),
) -> None:
    """Record the social evaluation's result, a scored input to consolidation."""
    who = resolve_actor(actor)
    in_transaction(lambda s: service.record_social_evaluation(
        s, get_application(s, application_id), get_user(s, who), satisfaction=satisfaction,
        respondents=respondents, method=method), dispatch=False)
    console.print(f"social evaluation of application {application_id}: {satisfaction}%")


@candidates_app.command("select")
def select_cmd(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str = typer.Option(..., "--class", help="Award class."),
) -> None:
    """Draw the candidate list by score, keeping balance; say why each is in or out."""
    result = in_transaction(lambda s: service.select_candidates(s, get_cycle(s, cycle),
                                                                award_class), dispatch=False)
    for entry in result.entries:
        mark = "in " if entry.selected else "out"
        console.print(f"{mark} #{entry.rank} application {entry.application_id} "
                      f"{entry.score}: {entry.reason}", highlight=False)


@notice_app.command("show")
def notice_show(application_id: int = typer.Argument(..., help="Application id.")) -> None:
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
    application_id: int = typer.Argument(..., help="Application id."),
    by: str = typer.Option(..., help="Who files it (kept confidential)."),
    grounds: str = typer.Option(..., help="What the objection is."),
    evidence: list[str] = typer.Option(..., help="Evidence; repeat."),
) -> None:
    """File an objection while the notice is open."""
    objection = in_transaction(lambda s: service.file_objection(
        s, get_application(s, application_id), filed_by=by, grounds=grounds,
        evidence=evidence), dispatch=False)
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
    who = resolve_actor(actor)

    def work(session: Session) -> str:
        objection = session.get(Objection, objection_id)
        if objection is None:
            raise NotFoundError(f"no objection {objection_id}")
        return service.resolve_objection(session, objection, get_user(session, who),
                                         uphold=uphold, reason=reason).status

    console.print(f"objection {objection_id}: {in_transaction(work, dispatch=False)}")


fairness_app = typer.Typer(help="Fair scoring: leniency normalisation and agreement.",
                           no_args_is_help=True)


@fairness_app.command("report")
def fairness(
    cycle: str = typer.Option(..., help="Cycle id or name."),
    award_class: str = typer.Option(..., "--class", help="Award class."),
    stage: str = typer.Option("document_review", help="Which stage's sheets."),
) -> None:
    """Leniency-normalised totals beside the consensus, and per-item agreement."""
    report = in_transaction(lambda s: fairness_report(s, get_cycle(s, cycle).id, award_class,
                                                      stage), dispatch=False)
    table = Table("application", "consensus", "raw mean", "normalised")
    for row in report.applications:
        table.add_row(str(row.application_id), str(row.consensus or "—"), str(row.raw_mean),
                      str(row.normalised))
    console.print(table)
    agreement = Table("item", "Krippendorff α", "mean |deviation|")
    for code, figures in report.agreement.items():
        alpha = "—" if figures.alpha is None else f"{figures.alpha:.2f}"
        mad = "—" if figures.mean_absolute_deviation is None else (
            f"{figures.mean_absolute_deviation:.1f}")
        agreement.add_row(code, alpha, mad)
    console.print(agreement)


@fairness_app.command("simulate")
def simulate(
    seeds: int = typer.Option(20, min=1, help="How many simulated cycles to average."),
    applications: int = typer.Option(30, min=4, help="Applications per simulated cycle."),
    reviewers: int = typer.Option(5, min=2, help="Reviewers in the pool."),
    per_application: int = typer.Option(3, min=1, help="Reviewers per application."),
    noise: float = typer.Option(5.0, min=0, help="Each score's random error (sd, points)."),
) -> None:
    """Reviewers biased by known amounts: Kendall τ between the true order and the ranking
    from raw means versus leniency-normalised scores."""
    if per_application > reviewers:
        fail("--per-application cannot exceed --reviewers", code=2)
    table = Table("reviewer biases (percentage points)", "τ raw means", "τ normalised")
    spread = [(-15.0, 15.0), (-10.0, 10.0), (0.0, 0.0)]
    for low, high in spread:
        step = (high - low) / max(reviewers - 1, 1)
        biases = [low + step * n for n in range(reviewers)]
        raw, normalised = mean_taus(range(seeds), n_applications=applications,
                                    n_reviewers=reviewers,
                                    reviewers_per_application=per_application,
                                    biases=biases, noise=noise)
        table.add_row(", ".join(f"{b:+.1f}" for b in biases), f"{raw:.3f}",
                      f"{normalised:.3f}")
    console.print(table)
    console.print(f"Kendall τ-b, mean over {seeds} seeds; 1.0 is the true order.")
