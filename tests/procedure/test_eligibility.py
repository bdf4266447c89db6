"""Eligibility rules as data: each rule passes, fails or is unknown, with its evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from pydantic import ValidationError

from mqa_workflow.procedure.eligibility import (
    Accident,
    ApplicantFacts,
    EligibilityRules,
    Outcome,
    PastAward,
    Penalty,
    RuleStatus,
    add_years,
    check_eligibility,
    decide,
)

AS_OF = date(2026, 11, 25)
RULES = EligibilityRules(award_waiting_years=3)
CLEAN = ApplicantFacts(
    applying_for="economic",
    registered_on=date(2015, 3, 1),
    penalties=(),
    accidents=(),
    past_awards=(),
)


def _facts(**changes: object) -> ApplicantFacts:
    return replace(CLEAN, **changes)  # type: ignore[arg-type]


def test_a_clean_applicant_passes_every_rule() -> None:
    report = check_eligibility(RULES, CLEAN, AS_OF)
    assert [r.rule for r in report.results] == [
        "min_years_registered", "penalty_free_years", "accident_free_years",
        "award_waiting_years",
    ]  # fmt: skip
    assert all(r.status is RuleStatus.PASSED for r in report.results)
    assert report.outcome is Outcome.ELIGIBLE


def test_a_short_registration_fails_with_the_duration_in_the_evidence() -> None:
    report = check_eligibility(RULES, _facts(registered_on=date(2025, 5, 1)), AS_OF)
    result = report.result("min_years_registered")
    assert result.status is RuleStatus.FAILED
    assert result.evidence == (
        "registered in Shenzhen on 2025-05-01: 1 year 6 months before 2026-11-25; "
        "the rule asks for 3 years"
    )
    assert report.outcome is Outcome.INELIGIBLE


def test_registration_exactly_three_years_before_passes_and_one_day_less_fails() -> None:
    on_the_day = check_eligibility(RULES, _facts(registered_on=date(2023, 11, 25)), AS_OF)
    assert on_the_day.result("min_years_registered").status is RuleStatus.PASSED
    assert "3 years before 2026-11-25" in on_the_day.result("min_years_registered").evidence
    day_short = check_eligibility(RULES, _facts(registered_on=date(2023, 11, 26)), AS_OF)
    assert day_short.result("min_years_registered").status is RuleStatus.FAILED
    assert "2 years 11 months" in day_short.result("min_years_registered").evidence


def test_a_registration_dated_after_the_check_fails() -> None:
    report = check_eligibility(RULES, _facts(registered_on=date(2027, 1, 1)), AS_OF)
    assert report.result("min_years_registered").status is RuleStatus.FAILED


def test_a_penalty_within_the_last_year_fails_and_names_it() -> None:
    penalty = Penalty(date(2026, 3, 2), "深圳市市场监督管理局", "产品抽检不合格，罚款")
    report = check_eligibility(RULES, _facts(penalties=(penalty,)), AS_OF)
    result = report.result("penalty_free_years")
    assert result.status is RuleStatus.FAILED
    assert "since 2025-11-25" in result.evidence
    assert "2026-03-02 深圳市市场监督管理局: 产品抽检不合格，罚款" in result.evidence


def test_an_older_penalty_is_not_counted_but_mentioned() -> None:
    penalty = Penalty(date(2025, 11, 24), "深圳市应急管理局", "警告")
    result = check_eligibility(RULES, _facts(penalties=(penalty,)), AS_OF).result(
        "penalty_free_years"
    )
    assert result.status is RuleStatus.PASSED
    assert "1 older penalty not counted" in result.evidence


def test_a_penalty_on_the_first_day_of_the_window_counts() -> None:
    penalty = Penalty(date(2025, 11, 25), "深圳市应急管理局", "警告")
    report = check_eligibility(RULES, _facts(penalties=(penalty,)), AS_OF)
    assert report.result("penalty_free_years").status is RuleStatus.FAILED


def test_a_serious_accident_within_three_years_fails() -> None:
    accident = Accident(date(2024, 7, 9), "重大产品质量事故：批次召回")
    result = check_eligibility(RULES, _facts(accidents=(accident,)), AS_OF).result(
        "accident_free_years"
    )
    assert result.status is RuleStatus.FAILED
    assert "1 serious accident since 2023-11-25" in result.evidence
    assert "2024-07-09 重大产品质量事故：批次召回" in result.evidence


def test_a_minor_accident_or_an_old_serious_one_does_not_bar() -> None:
    accidents = (
        Accident(date(2025, 1, 5), "一般安全事故", serious=False),
        Accident(date(2023, 11, 24), "重大安全事故"),
    )
    result = check_eligibility(RULES, _facts(accidents=accidents), AS_OF).result(
        "accident_free_years"
    )
    assert result.status is RuleStatus.PASSED
    assert "1 accident on record, none serious" in result.evidence


def test_an_award_of_the_same_class_within_the_waiting_period_fails() -> None:
    awards = (PastAward(2024, "economic"),)
    result = check_eligibility(RULES, _facts(past_awards=awards), AS_OF).result(
        "award_waiting_years"
    )
    assert result.status is RuleStatus.FAILED
    assert "in 2024" in result.evidence
    assert "eligible again from 2027" in result.evidence


def test_an_award_of_another_class_or_an_old_one_does_not_bar() -> None:
    awards = (PastAward(2025, "cultural"), PastAward(2023, "economic"))
    result = check_eligibility(RULES, _facts(past_awards=awards), AS_OF).result(
        "award_waiting_years"
    )
    assert result.status is RuleStatus.PASSED
    assert "last economic award in 2023, 3 years before 2026" in result.evidence


def test_missing_facts_make_each_rule_unknown_and_the_outcome_unknown() -> None:
    report = check_eligibility(RULES, ApplicantFacts(applying_for="economic"), AS_OF)
    assert [r.status for r in report.results] == [RuleStatus.UNKNOWN] * 4
    assert report.outcome is Outcome.UNKNOWN
    assert "no registration date in Shenzhen given" in report.results[0].evidence


def test_a_failed_rule_outweighs_an_unknown_one() -> None:
    facts = ApplicantFacts(applying_for="economic", registered_on=date(2026, 1, 1))
    assert check_eligibility(RULES, facts, AS_OF).outcome is Outcome.INELIGIBLE


def test_a_rule_switched_off_is_listed_as_not_applied_and_never_bars() -> None:
    rules = EligibilityRules(min_years_registered=None, award_waiting_years=None)
    report = check_eligibility(rules, _facts(registered_on=date(2026, 1, 1)), AS_OF)
    assert report.result("min_years_registered").status is RuleStatus.NOT_APPLIED
    assert report.result("award_waiting_years").status is RuleStatus.NOT_APPLIED
    assert report.outcome is Outcome.ELIGIBLE


def test_the_rule_set_loads_from_plain_data_and_refuses_typos() -> None:
    rules = EligibilityRules.model_validate({"min_years_registered": 5, "award_waiting_years": 4})
    assert rules.min_years_registered == 5
    assert rules.penalty_free_years == 1
    with pytest.raises(ValidationError, match="min_year_registered"):
        EligibilityRules.model_validate({"min_year_registered": 5})
    with pytest.raises(ValidationError):
        EligibilityRules(penalty_free_years=0)


def test_years_from_29_february_end_on_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2026, 11, 25), -3) == date(2023, 11, 25)


# --- the administrator's decision -------------------------------------------------------


def test_confirming_the_automatic_result_needs_no_reason() -> None:
    eligible = check_eligibility(RULES, CLEAN, AS_OF)
    decision = decide(eligible, "eligible")
    assert not decision.is_override
    assert decision.reason is None
    ineligible = check_eligibility(RULES, _facts(registered_on=date(2025, 1, 1)), AS_OF)
    assert not decide(ineligible, "ineligible").is_override


def test_declaring_a_failed_applicant_eligible_needs_a_written_reason() -> None:
    report = check_eligibility(RULES, _facts(registered_on=date(2025, 1, 1)), AS_OF)
    for blank in (None, "", "   "):
        with pytest.raises(ValueError, match="overrides the automatic result") as caught:
            decide(report, "eligible", blank)
        assert "registered in Shenzhen on 2025-01-01" in str(caught.value)
    decision = decide(report, "eligible", "  迁址前已在深圳注册分公司，经核实满3年 ")
    assert decision.is_override
    assert decision.reason == "迁址前已在深圳注册分公司，经核实满3年"


def test_declaring_an_eligible_applicant_ineligible_needs_a_written_reason() -> None:
    report = check_eligibility(RULES, CLEAN, AS_OF)
    with pytest.raises(ValueError, match="write the reason for the override"):
        decide(report, "ineligible")
    assert decide(report, "ineligible", "信用中国记录有严重失信").is_override


def test_declaring_eligible_with_unchecked_facts_is_an_override() -> None:
    report = check_eligibility(RULES, _facts(penalties=None), AS_OF)
    with pytest.raises(ValueError, match="unknown"):
        decide(report, "eligible")


def test_returning_for_correction_is_never_an_override() -> None:
    report = check_eligibility(RULES, ApplicantFacts(applying_for="economic"), AS_OF)
    decision = decide(report, "return_for_correction")
    assert not decision.is_override
    assert decision.automatic is Outcome.UNKNOWN


def test_an_unknown_decision_is_refused() -> None:
    report = check_eligibility(RULES, CLEAN, AS_OF)
    with pytest.raises(ValueError, match="unknown decision 'approve'"):
        decide(report, "approve", "x")  # type: ignore[arg-type]
