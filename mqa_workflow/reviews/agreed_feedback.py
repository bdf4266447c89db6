"""The team's agreed feedback (优势与改进机会): what the applicant reads in its report.

Each reviewer notes strengths and opportunities for improvement per item on their own
sheet. Those notes are the team's working material, not the applicant's report: at
consensus the team agrees what to say, and the leader writes it here per category,
with a short overall summary. The feedback report shows only this text. It stays
editable until the office releases the cycle's results; from then on the applicant may
have read it, so it no longer changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit import service as audit
from mqa_workflow.errors import ConflictError, InvalidInputError
from mqa_workflow.reviews.consensus import leader_place
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage
from mqa_workflow.reviews.sheets import submitted_sheets
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.translations.message import Word, refusal

KINDS = ("strengths", "opportunities")
MAX_CHARACTERS = 3000  # one text box; a report page, not an essay
TRIGGER = "agreed_feedback"


def recorded_sheet(session: Session, application_id: int, stage: ReviewStage
                   ) -> ConsensusSheet | None:
    return session.scalar(select(ConsensusSheet).where(
        ConsensusSheet.application_id == application_id,
        ConsensusSheet.stage == stage.value))


def record_agreed_feedback(session: Session, application: Application, stage: ReviewStage,
                           leader: User, *, summary: str,
                           categories: Mapping[str, Mapping[str, str]]) -> ConsensusSheet:
    """Store the leader's agreed text over the recorded consensus sheet (replacing the
    previous text whole: a category left empty says nothing)."""
    leader_place(session, application, stage, leader)
    sheet = recorded_sheet(session, application.id, stage)
    if sheet is None:
        raise ConflictError(refusal(
            "the %(stage)s consensus of application %(application)s is not recorded yet; the "
            "agreed feedback is written over it", stage=Word("stage", stage.value),
            application=application.id))
    if application.cycle.results_released_at is not None:
        raise ConflictError(refusal(
            "the results of %(cycle)s are released; the agreed feedback the applicant reads "
            "no longer changes", cycle=application.cycle.name))
    known = {category.code for category in load_standard(application.award_class).categories}
    problems = [f"category {code}: not a category of the {application.award_class} standard"
                for code in categories if code not in known]
    agreed: dict[str, dict[str, str]] = {}
    for code in sorted(c for c in categories if c in known):
        texts = {kind: str(categories[code].get(kind) or "").strip() for kind in KINDS}
        problems += [f"category {code}, {kind}: {len(text)} characters, at most "
                     f"{MAX_CHARACTERS}" for kind, text in texts.items()
                     if len(text) > MAX_CHARACTERS]
        if any(texts.values()):
            agreed[code] = texts
    summary = summary.strip()
    if len(summary) > MAX_CHARACTERS:
        problems.append(f"summary: {len(summary)} characters, at most {MAX_CHARACTERS}")
    if problems:
        raise InvalidInputError(refusal("the agreed feedback is refused"), problems)
    sheet.agreed_feedback = {"summary": summary, "categories": agreed}
    audit.append(session, actor=leader.email, trigger=TRIGGER, application_id=application.id,
                 data={"stage": stage.value, "categories": sorted(agreed),
                       "summary": bool(summary)})
    session.flush()
    return sheet


def team_notes(session: Session, application: Application, stage: ReviewStage
               ) -> dict[str, list[dict[str, str]]]:
    """The reviewers' own notes per category (item code, strengths, opportunities), for
    the team while it agrees on the text; never shown to the applicant."""
    standard = load_standard(application.award_class)
    category_of = {item.code: category.code for category in standard.categories
                   for item in category.scored_items()}
    notes: dict[str, list[dict[str, str]]] = {}
    for sheet in submitted_sheets(session, application.id, stage):
        for code, comment in sorted(sheet.comments.items()):
            texts = {kind: str(comment.get(kind) or "") for kind in KINDS}
            if code in category_of and any(texts.values()):
                notes.setdefault(category_of[code], []).append({"item": code, **texts})
    return notes


def agreed_of(sheet: ConsensusSheet) -> dict[str, Any]:
    """The agreed feedback in its full shape, also for sheets recorded before it existed."""
    stored = sheet.agreed_feedback or {}
    return {"summary": stored.get("summary", ""),
            "categories": dict(stored.get("categories", {}))}
