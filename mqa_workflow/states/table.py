"""The application state machine, as one table: the single source of truth.

The guards and the effects of each transition are named here (the engine runs
them), ``machine.py`` reads it as a ``transitions`` machine to check it, and
``mqa states diagram`` draws it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import ApplicationState

ADMIN = (Role.ADMINISTRATOR,)
APPLICANT_OR_ADMIN = (Role.APPLICANT_CONTACT, Role.ADMINISTRATOR)
BEFORE_DECISION = (
    ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.ELIGIBILITY_CHECK,
    ApplicationState.RETURNED_FOR_CORRECTION, ApplicationState.DOCUMENT_REVIEW,
    ApplicationState.DEFENCE, ApplicationState.SITE_VISIT, ApplicationState.SOCIAL_EVALUATION,
    ApplicationState.CONSOLIDATED_SCORING, ApplicationState.COMMITTEE_DECISION,
)

# The worker tasks a transition queues (in the outbox, committed with it), by the name of
# the effect that queues each one (states/effects.py runs them).
QUEUED_TASKS: dict[str, str] = {
    "notify_applicant": "notifications.state_changed",
    # the new team is told at once, not at the next deadline scan
    "notify_new_team": "deadlines.notify_assignments",
    "assign_document_review_team": "reviews.assign_document_review",
    "assign_defence_panel": "reviews.assign_defence",
    "assign_site_visit_team": "reviews.assign_site_visit",
    "consolidate_scores": "scoring.consolidate",
    # the committee's members hear of each application referred to them, in their inbox
    "notify_committee": "notifications.committee_referral",
}
# Effects named once for the transitions that share them.
JUST_NOTIFY = ("notify_applicant",)
# The path ended: the applicant is told the state; the feedback report is announced when
# the office releases the cycle's results (states/release.py), never before.
AT_THE_END = ("notify_applicant",)
# A committee decision and a public notice anchor the audit trail outside the database.
DECIDE = ("freeze_committee_decision",)
ANCHOR = ("anchor_audit_trail",)


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    sources: tuple[ApplicationState, ...]
    dest: ApplicationState
    roles: tuple[Role, ...]
    label: str
    guards: tuple[str, ...] = ()
    # What the transition does besides moving the state, by name (states/effects.py), in
    # the order they run at each moment (before the move, on entering, after the audit).
    effects: tuple[str, ...] = JUST_NOTIFY
    needs_reason: bool = False

    @property
    def tasks(self) -> tuple[str, ...]:
        """The worker tasks this transition queues for the application."""
        return tuple(QUEUED_TASKS[name] for name in self.effects if name in QUEUED_TASKS)


State = ApplicationState

# Guards named "uses_X" / "skips_X" pick the Shenzhen procedure's optional stage X or
# the plain path, by the cycle's rules (CycleRules.optional_stages).
TRANSITIONS: tuple[TransitionSpec, ...] = (
    TransitionSpec("submit", (State.DRAFT,), State.SUBMITTED, APPLICANT_OR_ADMIN, "提交申报",
                   guards=("application_complete", "before_submission_deadline")),
    TransitionSpec("begin_eligibility_check", (State.SUBMITTED,), State.ELIGIBILITY_CHECK,
                   ADMIN, "受理并开始资格审核"),
    TransitionSpec("return_for_correction", (State.ELIGIBILITY_CHECK,),
                   State.RETURNED_FOR_CORRECTION, ADMIN, "退回补正", needs_reason=True,
                   effects=("set_correction_deadline", "notify_applicant")),
    TransitionSpec("resubmit", (State.RETURNED_FOR_CORRECTION,), State.ELIGIBILITY_CHECK,
                   APPLICANT_OR_ADMIN, "补正后重新提交",
                   guards=("application_complete", "before_correction_deadline")),
    TransitionSpec("declare_ineligible", (State.ELIGIBILITY_CHECK,
                                          State.RETURNED_FOR_CORRECTION),
                   State.INELIGIBLE, ADMIN, "资格审核不通过", needs_reason=True),
    TransitionSpec("confirm_eligible", (State.ELIGIBILITY_CHECK,), State.DOCUMENT_REVIEW, ADMIN,
                   "资格审核通过，进入材料评审", guards=("eligibility_settled",),
                   effects=("assign_document_review_team", "notify_new_team",
                            "notify_applicant")),
    TransitionSpec("shortlist", (State.DOCUMENT_REVIEW,), State.SITE_VISIT, ADMIN,
                   "入围现场评审", guards=("document_review_complete", "skips_defence"),
                   effects=("assign_site_visit_team", "notify_new_team", "notify_applicant")),
    TransitionSpec("shortlist_for_defence", (State.DOCUMENT_REVIEW,), State.DEFENCE, ADMIN,
                   "入围集中答辩", guards=("document_review_complete", "uses_defence"),
                   effects=("assign_defence_panel", "notify_new_team", "notify_applicant")),
    TransitionSpec("not_shortlist", (State.DOCUMENT_REVIEW,), State.NOT_SHORTLISTED, ADMIN,
                   "未入围", guards=("document_review_complete",), effects=AT_THE_END),
    TransitionSpec("pass_defence", (State.DEFENCE,), State.SITE_VISIT, ADMIN,
                   "答辩后入围现场评审", guards=("defence_complete",),
                   effects=("assign_site_visit_team", "notify_new_team", "notify_applicant")),
    TransitionSpec("fail_defence", (State.DEFENCE,), State.NOT_SHORTLISTED, ADMIN,
                   "答辩后未入围", guards=("defence_complete",), effects=AT_THE_END),
    TransitionSpec("finish_site_visit", (State.SITE_VISIT,), State.CONSOLIDATED_SCORING, ADMIN,
                   "现场评审完成",
                   guards=("site_visit_complete", "site_visit_reported",
                           "skips_social_evaluation"),
                   effects=("consolidate_scores",)),
    TransitionSpec("begin_social_evaluation", (State.SITE_VISIT,), State.SOCIAL_EVALUATION,
                   ADMIN, "现场评审完成，开展社会评价",
                   guards=("site_visit_complete", "site_visit_reported",
                           "uses_social_evaluation")),
    TransitionSpec("finish_social_evaluation", (State.SOCIAL_EVALUATION,),
                   State.CONSOLIDATED_SCORING, ADMIN, "社会评价完成",
                   guards=("social_evaluation_recorded",), effects=("consolidate_scores",)),
    TransitionSpec("refer_to_committee", (State.CONSOLIDATED_SCORING,), State.COMMITTEE_DECISION,
                   ADMIN, "列入候选名单，提交评审委员会",
                   guards=("consolidated_score_recorded", "candidate_selected"),
                   effects=("notify_committee", "notify_applicant")),
    TransitionSpec("not_selected", (State.CONSOLIDATED_SCORING,), State.NOT_AWARDED, ADMIN,
                   "差额选拔未列入候选名单",
                   guards=("consolidated_score_recorded", "candidate_not_selected"),
                   effects=AT_THE_END + ANCHOR),
    TransitionSpec("award_grand", (State.COMMITTEE_DECISION,), State.AWARDED_GRAND, ADMIN,
                   "授予大奖", guards=("committee_voted_grand", "skips_public_notice"),
                   effects=DECIDE + AT_THE_END + ANCHOR),
    TransitionSpec("award_encouragement", (State.COMMITTEE_DECISION,),
                   State.AWARDED_ENCOURAGEMENT, ADMIN, "授予鼓励奖",
                   guards=("committee_voted_encouragement", "skips_public_notice"),
                   effects=DECIDE + AT_THE_END + ANCHOR),
    TransitionSpec("decline_award", (State.COMMITTEE_DECISION,), State.NOT_AWARDED, ADMIN,
                   "不予授奖", guards=("committee_voted_no_award",),
                   effects=DECIDE + AT_THE_END + ANCHOR),
    TransitionSpec("announce_grand", (State.COMMITTEE_DECISION,), State.PUBLIC_NOTICE, ADMIN,
                   "拟授大奖，进入公示",
                   guards=("committee_voted_grand", "uses_public_notice"),
                   effects=(*DECIDE, "publish_notice_proposing_grand", "notify_applicant",
                            *ANCHOR)),
    TransitionSpec("announce_encouragement", (State.COMMITTEE_DECISION,), State.PUBLIC_NOTICE,
                   ADMIN, "拟授鼓励奖，进入公示",
                   guards=("committee_voted_encouragement", "uses_public_notice"),
                   effects=(*DECIDE, "publish_notice_proposing_encouragement",
                            "notify_applicant", *ANCHOR)),
    TransitionSpec("confirm_grand", (State.PUBLIC_NOTICE,), State.AWARDED_GRAND, ADMIN,
                   "公示期满无异议，授予大奖", guards=("notice_closed_clear", "proposed_grand"),
                   effects=AT_THE_END + ANCHOR),
    TransitionSpec("confirm_encouragement", (State.PUBLIC_NOTICE,), State.AWARDED_ENCOURAGEMENT,
                   ADMIN, "公示期满无异议，授予鼓励奖",
                   guards=("notice_closed_clear", "proposed_encouragement"),
                   effects=AT_THE_END + ANCHOR),
    TransitionSpec("remove_after_objection", (State.PUBLIC_NOTICE,), State.NOT_AWARDED, ADMIN,
                   "异议成立，取消候选资格", guards=("objection_upheld",), needs_reason=True,
                   effects=AT_THE_END + ANCHOR),
    TransitionSpec("withdraw", BEFORE_DECISION, State.WITHDRAWN, APPLICANT_OR_ADMIN, "撤回申报",
                   needs_reason=True, effects=("leave_class_ranking", "notify_applicant")),
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
    states = {spec.dest for spec in TRANSITIONS if set(DECIDE) <= set(spec.effects)}
    while more := {spec.dest for spec in TRANSITIONS if states & set(spec.sources)} - states:
        states |= more
    return frozenset(states)


# The committee's decision taken: the notice, the award, or none.
DECIDED_STATES: frozenset[ApplicationState] = _decided_states()
# Where the committee has the application: deciding it, or decided.
COMMITTEE_STATES: frozenset[ApplicationState] = (frozenset({State.COMMITTEE_DECISION})
                                                   | DECIDED_STATES)
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
    lines = ["stateDiagram-v2", f"    [*] --> {State.DRAFT.value}"]
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
