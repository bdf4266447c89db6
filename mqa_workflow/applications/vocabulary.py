"""The applications' vocabulary: the states an application can be in, in words.

Kept apart from the ORM models (and importing nothing of the project) so that any
module, the cycles' deadline stages among them, can name a state. Which moves lead
from one state to another, and so which states are final, is the workflow's
transition table (``mqa_workflow.states.table``), not the vocabulary's.
"""

from __future__ import annotations

from enum import StrEnum


class ApplicationState(StrEnum):
    """Where an application stands. The moves between states (and so which states are
    final) are the workflow's transition table, ``mqa_workflow.states.table``."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBILITY_CHECK = "eligibility_check"
    RETURNED_FOR_CORRECTION = "returned_for_correction"
    INELIGIBLE = "ineligible"
    DOCUMENT_REVIEW = "document_review"
    NOT_SHORTLISTED = "not_shortlisted"
    DEFENCE = "defence"
    SITE_VISIT = "site_visit"
    SOCIAL_EVALUATION = "social_evaluation"
    CONSOLIDATED_SCORING = "consolidated_scoring"
    COMMITTEE_DECISION = "committee_decision"
    PUBLIC_NOTICE = "public_notice"
    AWARDED_GRAND = "awarded_grand"
    AWARDED_ENCOURAGEMENT = "awarded_encouragement"
    NOT_AWARDED = "not_awarded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @classmethod
    def named(cls, name: str) -> ApplicationState | None:
        """The state called ``name``, or None when none is (a filter typed by hand: the
        enum-typed column refuses an unknown value, where it used to match nothing)."""
        try:
            return cls(name)
        except ValueError:
            return None


STATE_LABELS: dict[ApplicationState, str] = {
    ApplicationState.DRAFT: "草稿",
    ApplicationState.SUBMITTED: "已申报",
    ApplicationState.ELIGIBILITY_CHECK: "资格审核",
    ApplicationState.RETURNED_FOR_CORRECTION: "退回补正",
    ApplicationState.INELIGIBLE: "资格不符",
    ApplicationState.DOCUMENT_REVIEW: "材料评审",
    ApplicationState.NOT_SHORTLISTED: "未入围",
    ApplicationState.DEFENCE: "集中答辩",
    ApplicationState.SITE_VISIT: "现场评审",
    ApplicationState.SOCIAL_EVALUATION: "社会评价",
    ApplicationState.CONSOLIDATED_SCORING: "综合评分",
    ApplicationState.COMMITTEE_DECISION: "评审委员会审议",
    ApplicationState.PUBLIC_NOTICE: "公示",
    ApplicationState.AWARDED_GRAND: "获大奖",
    ApplicationState.AWARDED_ENCOURAGEMENT: "获鼓励奖",
    ApplicationState.NOT_AWARDED: "未获奖",
    ApplicationState.WITHDRAWN: "已撤回",
}


# The stages an application passes through on its way to a decision, in that order: each
# has a deadline in the cycle (``cycles.models.STAGES``). Not on this path: the draft and
# the moment of submission, the detour of a correction, and the ends of the path.
STAGE_STATES: tuple[ApplicationState, ...] = (
    ApplicationState.ELIGIBILITY_CHECK,
    ApplicationState.DOCUMENT_REVIEW,
    ApplicationState.DEFENCE,
    ApplicationState.SITE_VISIT,
    ApplicationState.SOCIAL_EVALUATION,
    ApplicationState.CONSOLIDATED_SCORING,
    ApplicationState.COMMITTEE_DECISION,
    ApplicationState.PUBLIC_NOTICE,
)
# Still being reviewed or decided: a newly found conflict of interest can change the team
# (the public notice comes after the decision and no team works on it).
IN_REVIEW_STATES: tuple[ApplicationState, ...] = STAGE_STATES[
    :STAGE_STATES.index(ApplicationState.PUBLIC_NOTICE)]
# The ends of the path with a decision on the award: the committee's (after the public
# notice where the cycle has one) or the candidate list's. The transition table derives
# the same set (states.table.DECISION_STATES; tests/states/test_table.py holds them equal).
OUTCOME_STATES: frozenset[ApplicationState] = frozenset({
    ApplicationState.AWARDED_GRAND, ApplicationState.AWARDED_ENCOURAGEMENT,
    ApplicationState.NOT_AWARDED})
# The applicant may change the application: before submitting it, and when it came back
# for correction.
EDITABLE_STATES: tuple[ApplicationState, ...] = (
    ApplicationState.DRAFT, ApplicationState.RETURNED_FOR_CORRECTION)
