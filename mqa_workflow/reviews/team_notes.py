"""The review teams' strengths and opportunities for improvement (优势与改进机会) for one
application, item by item in the standard's order: what the committee reads beside the
scores. Taken from the submitted score sheets of every stage, each note once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mqa_workflow.reviews.models import ReviewAssignment, ScoreSheet, SheetStatus
from mqa_workflow.standards.loader import load_standard


@dataclass
class ItemNotes:
    code: str
    name: str
    strengths: list[str] = field(default_factory=list)
    opportunities: list[str] = field(default_factory=list)


def team_notes(session: Session, application_id: int, award_class: str) -> list[ItemNotes]:
    """The items with at least one note, in the standard's order (drafts never count: a
    reviewer's note is the team's only once the sheet is submitted)."""
    standard = load_standard(award_class)
    found = {item.code: ItemNotes(item.code, item.name) for item in standard.scored_items()}
    sheets = session.scalars(select(ScoreSheet).join(ReviewAssignment).where(
        ReviewAssignment.application_id == application_id,
        ScoreSheet.status == SheetStatus.SUBMITTED).order_by(ScoreSheet.id))
    for sheet in sheets:
        for code, notes in (sheet.comments or {}).items():
            entry = found.get(code)
            if entry is None:
                continue
            for kind in ("strengths", "opportunities"):
                text = str(notes.get(kind) or "").strip()
                if text and text not in getattr(entry, kind):
                    getattr(entry, kind).append(text)
    return [entry for entry in found.values() if entry.strengths or entry.opportunities]
