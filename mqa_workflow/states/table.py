"""The application state machine, as one table: the single source of truth.

The engine builds its ``transitions`` machine from this table, the guards and
the background tasks of each transition are named here, and ``mqa states
diagram`` draws it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mqa_workflow.accounts.models import Role


class ApplicationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBILITY_CHECK = "eligibility_check"
    RETURNED_FOR_CORRECTION = "returned_for_correction"
    INELIGIBLE = "ineligible"
    DOCUMENT_REVIEW = "document_review"
    NOT_SHORTLISTED = "not_shortlisted"
    SITE_VISIT = "site_visit"
    CONSOLIDATED_SCORING = "consolidated_scoring"
    COMMITTEE_DECISION = "committee_decision"
    AWARDED_GRAND = "awarded_grand"
    AWARDED_ENCOURAGEMENT = "awarded_encouragement"
    NOT_AWARDED = "not_awarded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return not any(self in spec.sources for spec in TRANSITIONS)


S = ApplicationState

STATE_LABELS: dict[ApplicationState, str] = {
    S.DRAFT: "草稿",
    S.SUBMITTED: "已申报",
    S.ELIGIBILITY_CHECK: "资格审核",
    S.RETURNED_FOR_CORRECTION: "退回补正",
    S.INELIGIBLE: "资格不符",
    S.DOCUMENT_REVIEW: "材料评审",
    S.NOT_SHORTLISTED: "未入围",
    S.SITE_VISIT: "现场评审",
    S.CONSOLIDATED_SCORING: "综合评分",
    S.COMMITTEE_DECISION: "评审委员会审议",
    S.AWARDED_GRAND: "获大奖",
    S.AWARDED_ENCOURAGEMENT: "获鼓励奖",
    S.NOT_AWARDED: "未获奖",
    S.WITHDRAWN: "已撤回",
}

ADMIN = (Role.ADMINISTRATOR,)
APPLICANT_OR_ADMIN = (Role.APPLICANT_CONTACT, Role.ADMINISTRATOR)
BEFORE_DECISION = (
    S.DRAFT, S.SUBMITTED, S.ELIGIBILITY_CHECK, S.RETURNED_FOR_CORRECTION, S.DOCUMENT_REVIEW,
    S.SITE_VISIT, S.CONSOLIDATED_SCORING, S.COMMITTEE_DECISION,
)
NOTIFY = "notifications.state_changed"


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    sources: tuple[ApplicationState, ...]
    dest: ApplicationState
    roles: tuple[Role, ...]
    label: str
    guards: tuple[str, ...] = ()
    tasks: tuple[str, ...] = (NOTIFY,)
    needs_reason: bool = False


TRANSITIONS: tuple[TransitionSpec, ...] = (
    TransitionSpec("submit", (S.DRAFT,), S.SUBMITTED, APPLICANT_OR_ADMIN, "提交申报",
                   guards=("application_complete", "before_submission_deadline")),
    TransitionSpec("begin_eligibility_check", (S.SUBMITTED,), S.ELIGIBILITY_CHECK, ADMIN,
                   "受理并开始资格审核"),
    TransitionSpec("return_for_correction", (S.ELIGIBILITY_CHECK,), S.RETURNED_FOR_CORRECTION,
                   ADMIN, "退回补正", needs_reason=True),
    TransitionSpec("resubmit", (S.RETURNED_FOR_CORRECTION,), S.ELIGIBILITY_CHECK,
                   APPLICANT_OR_ADMIN, "补正后重新提交",
                   guards=("application_complete", "before_correction_deadline")),
    TransitionSpec("declare_ineligible", (S.ELIGIBILITY_CHECK, S.RETURNED_FOR_CORRECTION),
                   S.INELIGIBLE, ADMIN, "资格审核不通过", needs_reason=True),
    TransitionSpec("confirm_eligible", (S.ELIGIBILITY_CHECK,), S.DOCUMENT_REVIEW, ADMIN,
                   "资格审核通过，进入材料评审",
                   tasks=("reviews.assign_document_review", NOTIFY)),
    TransitionSpec("shortlist", (S.DOCUMENT_REVIEW,), S.SITE_VISIT, ADMIN, "入围现场评审",
                   guards=("document_review_complete",),
                   tasks=("reviews.assign_site_visit", NOTIFY)),
    TransitionSpec("not_shortlist", (S.DOCUMENT_REVIEW,), S.NOT_SHORTLISTED, ADMIN, "未入围",
                   guards=("document_review_complete",),
                   tasks=(NOTIFY,)),
    TransitionSpec("finish_site_visit", (S.SITE_VISIT,), S.CONSOLIDATED_SCORING, ADMIN,
                   "现场评审完成", guards=("site_visit_complete", "site_visit_reported"),
                   tasks=("scoring.consolidate",)),
    TransitionSpec("refer_to_committee", (S.CONSOLIDATED_SCORING,), S.COMMITTEE_DECISION,
                   ADMIN, "提交评审委员会", guards=("consolidated_score_recorded",)),
    TransitionSpec("award_grand", (S.COMMITTEE_DECISION,), S.AWARDED_GRAND, ADMIN,
                   "授予大奖", guards=("committee_voted_grand",),
                   tasks=(NOTIFY,)),
    TransitionSpec("award_encouragement", (S.COMMITTEE_DECISION,), S.AWARDED_ENCOURAGEMENT,
                   ADMIN, "授予鼓励奖", guards=("committee_voted_encouragement",),
                   tasks=(NOTIFY,)),
    TransitionSpec("decline_award", (S.COMMITTEE_DECISION,), S.NOT_AWARDED, ADMIN, "不予授奖",
                   guards=("committee_voted_no_award",), tasks=(NOTIFY,)),
    TransitionSpec("withdraw", BEFORE_DECISION, S.WITHDRAWN, APPLICANT_OR_ADMIN, "撤回申报",
                   needs_reason=True),
)

BY_TRIGGER: dict[str, TransitionSpec] = {spec.trigger: spec for spec in TRANSITIONS}


def triggers_from(state: str) -> list[TransitionSpec]:
    return [spec for spec in TRANSITIONS if state in spec.sources]


def mermaid_diagram() -> str:
    """The machine as a Mermaid state diagram (paste into any Markdown viewer)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.DRAFT.value}"]
    for state in ApplicationState:
        lines.append(f"    {state.value} : {state.value} {state.label}")
    for spec in TRANSITIONS:
        guard = f" [{', '.join(spec.guards)}]" if spec.guards else ""
        for source in spec.sources:
            lines.append(f"    {source.value} --> {spec.dest.value} : {spec.trigger}{guard}")
    for state in ApplicationState:
        if state.is_final:
            lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines) + "\n"
