"""The applications' vocabulary: every state has words, and the lists of states that were
once written out by hand are now derived, listing exactly what they listed."""

from __future__ import annotations

import json

from mqa_workflow.applications.models import STATE_LABELS as MODELS_STATE_LABELS
from mqa_workflow.applications.vocabulary import (
    EDITABLE_STATES,
    IN_REVIEW_STATES,
    STAGE_STATES,
    STATE_LABELS,
    ApplicationState,
)
from mqa_workflow.cycles.models import STAGES
from mqa_workflow.reports.service import NO_FEEDBACK_STATES
from mqa_workflow.reviews.models import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from mqa_workflow.scoring.consolidation import ITEM_STAGES


def test_every_application_state_has_a_chinese_label() -> None:
    assert set(STATE_LABELS) == set(ApplicationState)
    assert all(state.label and state.label == STATE_LABELS[state] for state in ApplicationState)
    assert len(set(STATE_LABELS.values())) == len(ApplicationState)  # no two alike
    assert MODELS_STATE_LABELS is STATE_LABELS  # the models re-export the one table


def test_a_state_prints_and_serialises_as_its_plain_value() -> None:
    state = ApplicationState.RETURNED_FOR_CORRECTION
    assert f"{state}" == str(state) == "returned_for_correction"
    value = "returned_for_correction"
    assert json.dumps({state: [state]}) == json.dumps({value: [value]})


def test_the_cycle_stages_are_the_ones_listed_before() -> None:
    assert STAGES == ("submission", "eligibility_check", "document_review", "defence",
                      "site_visit", "social_evaluation", "consolidated_scoring",
                      "committee_decision", "public_notice")
    assert all(type(stage) is str for stage in STAGES)  # the deadlines' JSON keys
    assert tuple(ApplicationState(stage) for stage in STAGES[1:]) == STAGE_STATES


def test_the_states_in_review_are_the_ones_listed_before() -> None:
    assert list(IN_REVIEW_STATES) == ["eligibility_check", "document_review", "defence",
                                      "site_visit", "social_evaluation",
                                      "consolidated_scoring", "committee_decision"]


def test_the_editable_and_no_feedback_states_are_the_ones_listed_before() -> None:
    assert EDITABLE_STATES == ("draft", "returned_for_correction")
    listed_before = {"draft", "submitted", "eligibility_check", "returned_for_correction",
                     "ineligible", "withdrawn"}
    assert listed_before == NO_FEEDBACK_STATES


def test_the_derived_review_lists_are_the_ones_listed_before() -> None:
    assert ITEM_STAGES == ("document_review", "defence", "site_visit")
    listed_before = {"assigned", "submitted"}
    assert listed_before == ACTIVE_ASSIGNMENT_STATUSES
    assert [status.active for status in AssignmentStatus] == [True, True, False, False]
