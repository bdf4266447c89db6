"""The consensus waits for the whole team: recorded only once every sheet is in.

:func:`mqa_workflow.reviews.consensus.record_consensus` checks each item has at least one
submitted sheet; a team of three with two sheets in would pass it, and the third
reviewer's percentages would never count. The leader's pages call this instead, which
refuses until every active reviewer of the stage has submitted (HotCRP's discussion
likewise opens once all assigned reviews are in).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from mqa_workflow.accounts.models import User
from mqa_workflow.applications.models import Application
from mqa_workflow.errors import ConflictError
from mqa_workflow.reviews.consensus import record_consensus
from mqa_workflow.reviews.models import ConsensusSheet, ReviewStage
from mqa_workflow.reviews.sheets import sheet_progress


class SheetsOutstandingError(ConflictError):
    """Some of the team's score sheets are not submitted yet."""

    def __init__(self, submitted: int, team: int) -> None:
        self.submitted, self.team = submitted, team
        super().__init__(f"{submitted} of {team} score sheets are submitted; the consensus "
                         "is recorded once every sheet is in")


def all_sheets_in(session: Session, application_id: int, stage: ReviewStage) -> bool:
    submitted, team = sheet_progress(session, application_id, stage.value)
    return team > 0 and submitted == team


def record_when_all_in(session: Session, application: Application, stage: ReviewStage,
                       leader: User, decisions: Mapping[str, tuple[int, str]]
                       ) -> ConsensusSheet:
    """Record the leader's consensus sheet, refusing while any team sheet is outstanding."""
    submitted, team = sheet_progress(session, application.id, stage.value)
    if team == 0 or submitted < team:
        raise SheetsOutstandingError(submitted, team)
    return record_consensus(session, application, stage, leader, decisions)
