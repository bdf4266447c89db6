"""What the transition table derives: the final states and the committee's states."""

from __future__ import annotations

from mqa_workflow.applications.vocabulary import IN_REVIEW_STATES, STAGE_STATES, ApplicationState
from mqa_workflow.states.table import (
    COMMITTEE_STATES,
    DECISION_STATES,
    FINAL_STATES,
    TRANSITIONS,
    is_final,
    mermaid_diagram,
)

State = ApplicationState


def test_the_final_states_are_those_no_transition_leaves() -> None:
    listed_before = {"ineligible", "not_shortlisted", "awarded_grand", "awarded_encouragement",
                     "not_awarded", "withdrawn"}  # by hand, once
    assert listed_before == FINAL_STATES
    assert is_final("withdrawn") and is_final(State.NOT_AWARDED)
    assert not is_final(State.PUBLIC_NOTICE)
    ends = [line for line in mermaid_diagram().splitlines() if line.endswith("--> [*]")]
    assert ends == [f"    {state} --> [*]" for state in State if state in FINAL_STATES]


def test_the_committee_states_are_the_ones_listed_before() -> None:
    listed_before = {"committee_decision", "public_notice", "awarded_grand",
                     "awarded_encouragement", "not_awarded"}
    assert listed_before == COMMITTEE_STATES


def test_the_decision_states_are_the_ones_listed_before() -> None:
    listed_before = {"awarded_grand", "awarded_encouragement", "not_awarded"}
    assert listed_before == DECISION_STATES


def test_the_vocabularys_outcomes_are_the_decisions_the_table_derives() -> None:
    # The notices name a decision by the vocabulary's set; the table must agree with it.
    from mqa_workflow.applications.vocabulary import OUTCOME_STATES

    assert OUTCOME_STATES == DECISION_STATES


def test_the_stage_states_are_the_open_path_of_the_table() -> None:
    # Every state an application can still leave, except the draft, the moment of
    # submission and the correction detour, is a stage with a deadline; in enum order.
    leavable = {source for spec in TRANSITIONS for source in spec.sources}
    expected = [s for s in State if s in leavable
                and s not in (State.DRAFT, State.SUBMITTED, State.RETURNED_FOR_CORRECTION)]
    assert list(STAGE_STATES) == expected
    assert not FINAL_STATES & set(STAGE_STATES)
    assert set(IN_REVIEW_STATES) == set(STAGE_STATES) - {State.PUBLIC_NOTICE}
