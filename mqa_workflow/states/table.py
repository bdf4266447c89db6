"""The application state machine, as one table: the single source of truth.

The engine builds its ``transitions`` machine from this table, the guards and
the background tasks of each transition are named here, and ``mqa states
diagram`` draws it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import ApplicationState

S = ApplicationState

ADMIN = (Role.ADMINISTRATOR,)
APPLICANT_OR_ADMIN = (Role.APPLICANT_CONTACT, Role.ADMINISTRATOR)
BEFORE_DECISION = (
    S.DRAFT, S.SUBMITTED, S.ELIGIBILITY_CHECK, S.RETURNED_FOR_CORRECTION, S.DOCUMENT_REVIEW,
    S.DEFENCE, S.SITE_VISIT, S.SOCIAL_EVALUATION, S.CONSOLIDATED_SCORING, S.COMMITTEE_DECISION,
)
NOTIFY = "notifications.state_changed"
ASSIGNED = "deadlines.notify_assignments"  # tell the new team at once, not at the next scan
# The path ended: the applicant is told the state; the feedback report is announced when
# the office releases the cycle's results (reports/release.py), never before.
ENDED = (NOTIFY,)


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
    decides: bool = False  # takes the committee's decision, which is frozen then


# Guards named "uses_X" / "skips_X" pick the Shenzhen procedure's optional stage X or
# the plain path, by the cycle's rules (CycleRules.optional_stages).
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
                   "资格审核通过，进入材料评审", guards=("eligibility_settled",),
                   tasks=("reviews.assign_document_review", ASSIGNED, NOTIFY)),
    TransitionSpec("shortlist", (S.DOCUMENT_REVIEW,), S.SITE_VISIT, ADMIN, "入围现场评审",
                   guards=("document_review_complete", "skips_defence"),
                   tasks=("reviews.assign_site_visit", ASSIGNED, NOTIFY)),
    TransitionSpec("shortlist_for_defence", (S.DOCUMENT_REVIEW,), S.DEFENCE, ADMIN,
                   "入围集中答辩", guards=("document_review_complete", "uses_defence"),
                   tasks=("reviews.assign_defence", ASSIGNED, NOTIFY)),
    TransitionSpec("not_shortlist", (S.DOCUMENT_REVIEW,), S.NOT_SHORTLISTED, ADMIN, "未入围",
                   guards=("document_review_complete",), tasks=ENDED),
    TransitionSpec("pass_defence", (S.DEFENCE,), S.SITE_VISIT, ADMIN, "答辩后入围现场评审",
                   guards=("defence_complete",),
                   tasks=("reviews.assign_site_visit", ASSIGNED, NOTIFY)),
    TransitionSpec("fail_defence", (S.DEFENCE,), S.NOT_SHORTLISTED, ADMIN, "答辩后未入围",
                   guards=("defence_complete",), tasks=ENDED),
    TransitionSpec("finish_site_visit", (S.SITE_VISIT,), S.CONSOLIDATED_SCORING, ADMIN,
                   "现场评审完成",
                   guards=("site_visit_complete", "site_visit_reported",
                           "skips_social_evaluation"),
                   tasks=("scoring.consolidate",)),
    TransitionSpec("begin_social_evaluation", (S.SITE_VISIT,), S.SOCIAL_EVALUATION, ADMIN,
                   "现场评审完成，开展社会评价",
                   guards=("site_visit_complete", "site_visit_reported",
                           "uses_social_evaluation")),
    TransitionSpec("finish_social_evaluation", (S.SOCIAL_EVALUATION,), S.CONSOLIDATED_SCORING,
                   ADMIN, "社会评价完成", guards=("social_evaluation_recorded",),
                   tasks=("scoring.consolidate",)),
    TransitionSpec("refer_to_committee", (S.CONSOLIDATED_SCORING,), S.COMMITTEE_DECISION,
                   ADMIN, "列入候选名单，提交评审委员会",
                   guards=("consolidated_score_recorded", "candidate_selected")),
    TransitionSpec("not_selected", (S.CONSOLIDATED_SCORING,), S.NOT_AWARDED, ADMIN,
                   "差额选拔未列入候选名单",
                   guards=("consolidated_score_recorded", "candidate_not_selected"), tasks=ENDED),
    TransitionSpec("award_grand", (S.COMMITTEE_DECISION,), S.AWARDED_GRAND, ADMIN,
                   "授予大奖", guards=("committee_voted_grand", "skips_public_notice"),
                   tasks=ENDED, decides=True),
    TransitionSpec("award_encouragement", (S.COMMITTEE_DECISION,), S.AWARDED_ENCOURAGEMENT,
                   ADMIN, "授予鼓励奖",
                   guards=("committee_voted_encouragement", "skips_public_notice"), tasks=ENDED,
                   decides=True),
    TransitionSpec("decline_award", (S.COMMITTEE_DECISION,), S.NOT_AWARDED, ADMIN, "不予授奖",
                   guards=("committee_voted_no_award",), tasks=ENDED, decides=True),
    TransitionSpec("announce_grand", (S.COMMITTEE_DECISION,), S.PUBLIC_NOTICE, ADMIN,
                   "拟授大奖，进入公示",
                   guards=("committee_voted_grand", "uses_public_notice"), decides=True),
    TransitionSpec("announce_encouragement", (S.COMMITTEE_DECISION,), S.PUBLIC_NOTICE, ADMIN,
                   "拟授鼓励奖，进入公示",
                   guards=("committee_voted_encouragement", "uses_public_notice"), decides=True),
    TransitionSpec("confirm_grand", (S.PUBLIC_NOTICE,), S.AWARDED_GRAND, ADMIN,
                   "公示期满无异议，授予大奖", guards=("notice_closed_clear", "proposed_grand"),
                   tasks=ENDED),
    TransitionSpec("confirm_encouragement", (S.PUBLIC_NOTICE,), S.AWARDED_ENCOURAGEMENT,
                   ADMIN, "公示期满无异议，授予鼓励奖",
                   guards=("notice_closed_clear", "proposed_encouragement"), tasks=ENDED),
    TransitionSpec("remove_after_objection", (S.PUBLIC_NOTICE,), S.NOT_AWARDED, ADMIN,
                   "异议成立，取消候选资格", guards=("objection_upheld",), needs_reason=True,
                   tasks=ENDED),
    TransitionSpec("withdraw", BEFORE_DECISION, S.WITHDRAWN, APPLICANT_OR_ADMIN, "撤回申报",
                   needs_reason=True),
)

BY_TRIGGER: dict[str, TransitionSpec] = {spec.trigger: spec for spec in TRANSITIONS}

# The states no transition leaves: the application's path has ended there.
FINAL_STATES: frozenset[ApplicationState] = frozenset(
    state for state in ApplicationState if not any(state in spec.sources for spec in TRANSITIONS))


def is_final(state: str) -> bool:
    """Whether no transition leaves ``state`` (a member or its value)."""
    return ApplicationState(state) in FINAL_STATES


def _decided_states() -> frozenset[ApplicationState]:
    """The states a committee decision leads to, directly or after the public notice."""
    states = {spec.dest for spec in TRANSITIONS if spec.decides}
    while more := {spec.dest for spec in TRANSITIONS if states & set(spec.sources)} - states:
        states |= more
    return frozenset(states)


# The committee's decision taken: the notice, the award, or none.
DECIDED_STATES: frozenset[ApplicationState] = _decided_states()
# Where the committee has the application: deciding it, or decided.
COMMITTEE_STATES: frozenset[ApplicationState] = frozenset({S.COMMITTEE_DECISION}) | DECIDED_STATES
# The path ended with a decision on the award (the committee's, or the candidate list's).
DECISION_STATES: frozenset[ApplicationState] = DECIDED_STATES & FINAL_STATES


def reason_for_applicant(trigger: str) -> bool:
    """Whether the reason written with ``trigger`` is addressed to the applicant: only
    the transitions that ask for one (补正, 资格不符, 撤回, 异议成立). Other reasons may
    be the office's internal notes (a vote, a reviewer's name) and are not shown."""
    spec = BY_TRIGGER.get(trigger)
    return spec is not None and spec.needs_reason


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
        if is_final(state):
            lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines) + "\n"
