"""Releasing a cycle's results to the applicants (评审结果发布).

Until the office releases them, an applicant sees their application's state but
no score, rank or feedback report. The office releases a whole cycle at once,
once every decision is taken and every public notice (公示) has closed, so no
applicant learns a score while another's outcome can still change. The release
is audited, and it is what sends each applicant the notice that their feedback
report is ready.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.accounts.service import require_role
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.audit import service as audit
from mqa_workflow.clock import now, office_today
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import ConflictError, TransitionRefusedError
from mqa_workflow.outbox.service import enqueue
from mqa_workflow.procedure.models import PublicNotice
from mqa_workflow.reports.service import FEEDBACK_PDF, FEEDBACK_READY, NO_FEEDBACK_STATES
from mqa_workflow.states.table import is_final
from mqa_workflow.translations.message import Message, Word, refusal

RELEASE_TRIGGER = "release_results"
# Drafts never submitted took no part in the cycle; every other state that is not final
# means a decision is still open.
NOT_TAKING_PART = frozenset({ApplicationState.DRAFT})
SHOWN_IDS = 10  # a refusal names this many applications per state, then counts the rest


@dataclass(frozen=True)
class Release:
    cycle_id: int
    applications: int  # how many applicants are told their feedback report is ready


def release_refusals(session: Session, cycle: AwardCycle) -> list[Message]:
    """Every reason the cycle's results cannot be released now; empty when they can."""
    if cycle.results_released_at is not None:
        return [refusal("the results of %(cycle)s were released on %(at)s UTC",
                        cycle=cycle.name,
                        at=cycle.results_released_at.strftime("%Y-%m-%d %H:%M"))]
    rows = session.execute(select(Application.id, Application.state).where(
        Application.cycle_id == cycle.id).order_by(Application.id)).all()
    problems = _open_decisions(rows)
    today = office_today()
    notices = session.execute(select(PublicNotice.application_id, PublicNotice.closes_on)
                              .join(Application).where(Application.cycle_id == cycle.id,
                                                       PublicNotice.closes_on >= today)
                              .order_by(PublicNotice.application_id)).all()
    problems += [refusal("the public notice (公示) of application %(application)s runs until "
                         "%(closes_on)s", application=application_id,
                         closes_on=closes_on.isoformat())
                 for application_id, closes_on in notices]
    if not any(is_final(state) and state not in NOT_TAKING_PART
               for _, state in rows):
        problems.append(refusal("no application of %(cycle)s has reached a decision",
                                cycle=cycle.name))
    return problems


def _open_decisions(rows: list[tuple[int, str]]) -> list[Message]:
    open_ids: dict[str, list[int]] = {}
    for application_id, state in rows:
        if state not in NOT_TAKING_PART and not is_final(state):
            open_ids.setdefault(state, []).append(application_id)
    problems = []
    for state, ids in open_ids.items():
        named = ", ".join(map(str, ids[:SHOWN_IDS]))  # numbers, alike in both languages
        still = Word("state", str(state))
        label = ApplicationState(state).label
        if len(ids) > SHOWN_IDS:
            problems.append(refusal(
                "%(count)s application(s) still %(state)s (%(label)s), decision open: "
                "%(ids)s and %(more)s more", count=len(ids), state=still, label=label,
                ids=named, more=len(ids) - SHOWN_IDS))
        else:
            problems.append(refusal(
                "%(count)s application(s) still %(state)s (%(label)s), decision open: "
                "%(ids)s", count=len(ids), state=still, label=label, ids=named))
    return problems


def release_results(session: Session, cycle: AwardCycle, actor: User, *,
                    render_pdfs: bool = True) -> Release:
    """Release the cycle's scores, ranks and feedback reports to its applicants.

    ``render_pdfs``: queue each report's PDF to be rendered once now (seconds each); without
    it each PDF is rendered and kept at its first download instead."""
    require_role(actor, Role.ADMINISTRATOR, doing="release the results")
    if cycle.results_released_at is not None:
        raise ConflictError(release_refusals(session, cycle)[0])
    problems = release_refusals(session, cycle)
    if problems:
        raise TransitionRefusedError(refusal("cannot release the results of %(cycle)s yet",
                                             cycle=cycle.name), problems)
    cycle.results_released_at = now()
    states = Counter(session.scalars(select(Application.state).where(
        Application.cycle_id == cycle.id)))
    record = audit.append(session, actor=actor.email, trigger=RELEASE_TRIGGER,
                          reason=f"{cycle.name} 评审结果发布",
                          data={"cycle_id": cycle.id, "states": dict(sorted(states.items()))})
    told = 0
    for application_id in session.scalars(select(Application.id).where(
            Application.cycle_id == cycle.id,
            Application.state.not_in(NO_FEEDBACK_STATES | NOT_TAKING_PART))
            .order_by(Application.id)):
        # The PDF first: the decision is frozen now, so the report is rendered once and
        # kept (seconds each, in the background), not at every download.
        if render_pdfs:
            enqueue(session, FEEDBACK_PDF, {"application_id": application_id},
                    f"{FEEDBACK_PDF}:{record.seq}:{application_id}")
        enqueue(session, FEEDBACK_READY, {"application_id": application_id},
                f"{FEEDBACK_READY}:{record.seq}:{application_id}")
        told += 1
    session.flush()
    return Release(cycle.id, told)
