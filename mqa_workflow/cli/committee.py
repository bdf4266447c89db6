"""``mqa committee``: votes and their tally."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.service import get_application
from mqa_workflow.cli.console import console
from mqa_workflow.cli.support import (
    acting,
    actor_option,
    application_argument,
    in_transaction,
    resolve_actor,
)
from mqa_workflow.clock import office_time
from mqa_workflow.committee.models import VoteChoice
from mqa_workflow.committee.service import (
    cast_vote,
    committee_title,
    decision_of,
    ensure_not_recused,
)
from mqa_workflow.errors import TransitionRefusedError
from mqa_workflow.scoring.models import ConsolidatedScore

app = typer.Typer(help="The award committee (评审委员会).", no_args_is_help=True)


@app.command("vote")
def vote(
    application_id: int = application_argument(),
    choice: VoteChoice = typer.Argument(..., help="grand, encouragement or none."),
    actor: str | None = actor_option(),
) -> None:
    """Cast a committee member's vote (refused when recused); a second vote replaces the
    first until the tally closes."""
    who = acting(actor)
    replaced = in_transaction(lambda s: cast_vote(s, get_application(s, application_id),
                                                  who(s), choice.value))
    if replaced:
        console.print(f"vote changed: {replaced} -> {choice.value}")
    else:
        console.print(f"vote recorded: {choice.value}")


@app.command("tally")
def show_tally(application_id: int = application_argument()) -> None:
    """Votes, recusals, quorum and the outcome within the class's quotas; once decided,
    the decision as it was frozen then."""

    def work(session: Session) -> str:
        result = decision_of(session, get_application(session, application_id))
        if result is None:
            return f"application {application_id} has not come before the committee"
        lines = [f"eligible members {result.eligible}, recused {result.recused}",
                 "votes: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()),
                 f"outcome: {result.outcome or '—'}"]
        if result.decided_at is not None:
            taken = office_time(result.decided_at)
            lines.append(f"decided {taken} (Beijing time) by {result.decided_by}; frozen")
        lines += [f"  - {text}" for text in result.problems + result.notes]
        return "\n".join(lines)

    console.print(in_transaction(work, dispatch=False), highlight=False)


@app.command("show")
def show(
    application_id: int = application_argument(),
    actor: str | None = actor_option(),
) -> None:
    """What a member sees before voting: blinded applicant when the cycle says so."""
    who = resolve_actor(actor)

    def work(session: Session) -> str:
        application = get_application(session, application_id)
        member = get_user(session, who)
        # The same rule as the committee's web pages: members only, never when recused.
        if not member.has_role(Role.COMMITTEE_MEMBER):
            raise TransitionRefusedError(f"{member.email} is not a committee member")
        ensure_not_recused(session, member, application)
        score = session.get(ConsolidatedScore, application_id)
        title = committee_title(session, member, application)
        total = f"{score.total} / 500 (rank {score.rank})" if score else "not consolidated"
        return f"{title} · {application.award_class} · {total}"

    console.print(in_transaction(work, dispatch=False), highlight=False)
