"""Conflict-of-interest (回避) rules: each rule, its boundaries, and the matrix."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mqa_workflow.reviews.conflicts import (
    RULE_COMPETITOR,
    RULE_CONSULTING,
    RULE_EMPLOYMENT,
    RULE_RELATIONSHIP,
    RULE_SELF_DECLARED,
    RULE_SHAREHOLDING,
    ApplicantProfile,
    ConflictIndex,
    ConflictRules,
    DeclaredRelationship,
    Employment,
    Engagement,
    ReviewerProfile,
    Shareholding,
    conflict_matrix,
    find_conflicts,
    years_before,
)

TODAY = date(2025, 6, 15)
APPLICANT_USCC = "91440300MA5ABCDE1X"
SUBSIDIARY_USCC = "91440300MA5SUB0012"
OTHER_USCC = "91440300MA5OTHER01"
RULES = ConflictRules()


def applicant(**changes: object) -> ApplicantProfile:
    fields: dict[str, object] = {
        "application_id": 12,
        "organization_uscc": APPLICANT_USCC,
        "organization_name": "深圳某某有限公司",
        "related_usccs": frozenset({SUBSIDIARY_USCC}),
        "industry": "电子信息",
        "district": "南山区",
    }
    fields.update(changes)
    return ApplicantProfile(**fields)  # type: ignore[arg-type]


def reviewer(**changes: object) -> ReviewerProfile:
    fields: dict[str, object] = {"reviewer_id": 7, "name": "张三"}
    fields.update(changes)
    return ReviewerProfile(**fields)  # type: ignore[arg-type]


def past_job(uscc: str, end: date, name: str = "深圳某某有限公司") -> Employment:
    return Employment(uscc, name, date(2015, 1, 1), end)


def rules_of(conflicts: list) -> list[str]:
    return [c.rule for c in conflicts]


def test_reviewer_without_any_link_has_no_conflict() -> None:
    clean = reviewer(
        employer_uscc=OTHER_USCC,
        industry="电子信息",
        district="南山区",
        employments=(past_job(OTHER_USCC, date(2025, 1, 1)),),
        relationships=(DeclaredRelationship(OTHER_USCC, "顾问", "2023 年咨询项目"),),
        self_declared_conflicts=frozenset({99}),
    )
    assert find_conflicts(clean, applicant(), RULES, TODAY) == []


def test_current_employment_at_applicant_is_a_conflict() -> None:
    job = Employment(APPLICANT_USCC, "深圳某某有限公司", date(2019, 3, 1), None)
    conflicts = find_conflicts(reviewer(employments=(job,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_EMPLOYMENT]
    assert conflicts[0].reviewer_id == 7 and conflicts[0].application_id == 12
    assert "currently employed by 深圳某某有限公司" in conflicts[0].reason
    assert "since 2019-03-01" in conflicts[0].reason


def test_employment_ended_exactly_window_years_ago_is_still_a_conflict() -> None:
    job = past_job(APPLICANT_USCC, date(2022, 6, 15))
    conflicts = find_conflicts(reviewer(employments=(job,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_EMPLOYMENT]
    assert conflicts[0].reason == (
        f"employed by 深圳某某有限公司 ({APPLICANT_USCC}) until 2022-06-15, "
        "within the 3-year window"
    )


def test_employment_ended_one_day_before_the_window_is_no_conflict() -> None:
    job = past_job(APPLICANT_USCC, date(2022, 6, 14))
    assert find_conflicts(reviewer(employments=(job,)), applicant(), RULES, TODAY) == []


def test_employment_window_length_comes_from_the_rules() -> None:
    job = past_job(APPLICANT_USCC, date(2021, 1, 1))
    profile = reviewer(employments=(job,))
    assert find_conflicts(profile, applicant(), RULES, TODAY) == []
    five_years = ConflictRules(employment_window_years=5)
    conflicts = find_conflicts(profile, applicant(), five_years, TODAY)
    assert rules_of(conflicts) == [RULE_EMPLOYMENT]
    assert "within the 5-year window" in conflicts[0].reason


def test_window_starting_on_29_february_falls_back_to_28_february() -> None:
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)
    leap_today = date(2024, 2, 29)
    on_boundary = reviewer(employments=(past_job(APPLICANT_USCC, date(2021, 2, 28)),))
    before = reviewer(employments=(past_job(APPLICANT_USCC, date(2021, 2, 27)),))
    assert rules_of(find_conflicts(on_boundary, applicant(), RULES, leap_today)) == [
        RULE_EMPLOYMENT
    ]
    assert find_conflicts(before, applicant(), RULES, leap_today) == []


def test_employment_at_a_related_organization_is_a_conflict_and_says_so() -> None:
    job = past_job(SUBSIDIARY_USCC, date(2024, 5, 31), name="深圳某某子公司")
    conflicts = find_conflicts(reviewer(employments=(job,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_EMPLOYMENT]
    reason = conflicts[0].reason
    assert f"employed by 深圳某某子公司 ({SUBSIDIARY_USCC}) until 2024-05-31" in reason
    assert f"a related organization of 深圳某某有限公司 ({APPLICANT_USCC})" in reason


def test_uscc_comparison_ignores_case_and_surrounding_spaces() -> None:
    job = past_job(f" {APPLICANT_USCC.lower()} ", date(2024, 1, 1))
    conflicts = find_conflicts(reviewer(employments=(job,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_EMPLOYMENT]


def test_current_employer_on_profile_counts_without_an_employment_record() -> None:
    conflicts = find_conflicts(reviewer(employer_uscc=APPLICANT_USCC), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_EMPLOYMENT]


def test_current_employer_with_matching_record_is_reported_once() -> None:
    job = Employment(APPLICANT_USCC, "深圳某某有限公司", date(2019, 3, 1), None)
    profile = reviewer(employer_uscc=APPLICANT_USCC, employments=(job,))
    assert rules_of(find_conflicts(profile, applicant(), RULES, TODAY)) == [RULE_EMPLOYMENT]


def test_declared_relationship_with_applicant_names_kind_and_note() -> None:
    rel = DeclaredRelationship(APPLICANT_USCC, "顾问", "2023 年为其提供质量管理咨询")
    conflicts = find_conflicts(reviewer(relationships=(rel,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_RELATIONSHIP]
    assert conflicts[0].reason == (
        f"declared relationship '顾问' with 深圳某某有限公司 ({APPLICANT_USCC}): "
        "2023 年为其提供质量管理咨询"
    )


def test_declared_relationship_with_related_organization_is_a_conflict() -> None:
    rel = DeclaredRelationship(SUBSIDIARY_USCC, "亲属任职", "配偶任财务总监")
    conflicts = find_conflicts(reviewer(relationships=(rel,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_RELATIONSHIP]
    assert "亲属任职" in conflicts[0].reason and "配偶任财务总监" in conflicts[0].reason
    assert "related organization" in conflicts[0].reason


def competitor_reviewer() -> ReviewerProfile:
    return reviewer(employer_uscc=OTHER_USCC, industry="电子信息", district="南山区")


def test_competitor_rule_off_by_default_ignores_same_industry_and_district() -> None:
    assert find_conflicts(competitor_reviewer(), applicant(), RULES, TODAY) == []


def test_competitor_rule_on_flags_employer_in_same_industry_and_district() -> None:
    rules = ConflictRules(competitor_same_industry_and_district=True)
    conflicts = find_conflicts(competitor_reviewer(), applicant(), rules, TODAY)
    assert rules_of(conflicts) == [RULE_COMPETITOR]
    assert "电子信息" in conflicts[0].reason and "南山区" in conflicts[0].reason


@pytest.mark.parametrize(
    ("industry", "district"),
    [("生物医药", "南山区"), ("电子信息", "福田区"), (None, "南山区"), ("电子信息", None)],
)
def test_competitor_rule_needs_both_same_industry_and_same_district(
    industry: str | None, district: str | None
) -> None:
    rules = ConflictRules(competitor_same_industry_and_district=True)
    profile = reviewer(employer_uscc=OTHER_USCC, industry=industry, district=district)
    assert find_conflicts(profile, applicant(), rules, TODAY) == []


def test_competitor_rule_does_not_flag_the_applicant_itself_as_its_own_competitor() -> None:
    rules = ConflictRules(competitor_same_industry_and_district=True)
    profile = reviewer(employer_uscc=APPLICANT_USCC, industry="电子信息", district="南山区")
    assert rules_of(find_conflicts(profile, applicant(), rules, TODAY)) == [RULE_EMPLOYMENT]


def test_self_declared_conflict_on_this_application_only() -> None:
    profile = reviewer(self_declared_conflicts=frozenset({12}))
    assert rules_of(find_conflicts(profile, applicant(), RULES, TODAY)) == [RULE_SELF_DECLARED]
    assert find_conflicts(profile, applicant(application_id=13), RULES, TODAY) == []


def test_every_matching_rule_is_reported_in_rule_order() -> None:
    rules = ConflictRules(competitor_same_industry_and_district=True)
    profile = reviewer(
        employer_uscc=OTHER_USCC,
        industry="电子信息",
        district="南山区",
        employments=(past_job(APPLICANT_USCC, date(2024, 1, 1)),),
        relationships=(DeclaredRelationship(SUBSIDIARY_USCC, "股东", "持股 5%"),),
        self_declared_conflicts=frozenset({12}),
    )
    assert rules_of(find_conflicts(profile, applicant(), rules, TODAY)) == [
        RULE_EMPLOYMENT,
        RULE_RELATIONSHIP,
        RULE_COMPETITOR,
        RULE_SELF_DECLARED,
    ]


def test_negative_employment_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        ConflictRules(employment_window_years=-1)


def test_conflict_matrix_lists_only_pairs_with_conflicts() -> None:
    clean = reviewer(reviewer_id=1)
    declared = reviewer(reviewer_id=2, self_declared_conflicts=frozenset({13}))
    employed = reviewer(reviewer_id=3, employer_uscc=APPLICANT_USCC)
    applicants = [applicant(application_id=12), applicant(application_id=13, related_usccs=())]
    matrix = conflict_matrix([clean, declared, employed], applicants, RULES, TODAY)
    assert set(matrix) == {(2, 13), (3, 12), (3, 13)}
    assert rules_of(matrix[(2, 13)]) == [RULE_SELF_DECLARED]
    assert all(
        c.reviewer_id == r and c.application_id == a for (r, a), cs in matrix.items() for c in cs
    )


@pytest.mark.parametrize("competitor", [False, True])
def test_the_index_finds_exactly_what_checking_every_pair_finds(competitor: bool) -> None:
    import random

    from mqa_workflow.reviews.conflicts import ConflictIndex

    rng = random.Random(7)
    orgs = [f"91440300MA5F{n:05d}X" for n in range(30)]
    markets = [("电子信息", "南山区"), ("生物医药", "福田区"), ("制造", "宝安区")]

    def some_day() -> date:
        return date(rng.randrange(2015, 2026), rng.randrange(1, 13), 1)

    reviewers = []
    for n in range(60):
        industry, district = rng.choice(markets)
        reviewers.append(ReviewerProfile(
            reviewer_id=n, name=f"r{n}", employer_uscc=rng.choice(orgs + [None] * 10),
            industry=industry, district=district,
            employments=tuple(Employment(rng.choice(orgs), "org", some_day(),
                                         rng.choice([None, some_day()]))
                              for _ in range(rng.randrange(3))),
            relationships=tuple(DeclaredRelationship(rng.choice(orgs), "顾问")
                                for _ in range(rng.randrange(2))),
            engagements=tuple(Engagement(rng.choice(orgs), "org", "辅导", some_day(),
                                         rng.choice([None, some_day()]))
                              for _ in range(rng.randrange(2))),
            shareholdings=tuple(Shareholding(rng.choice(orgs), "org", "1%")
                                for _ in range(rng.randrange(2))),
            self_declared_conflicts=frozenset(rng.sample(range(40), rng.randrange(2)))))
    applicants = []
    for n in range(40):
        industry, district = rng.choice(markets)
        applicants.append(ApplicantProfile(
            n, rng.choice(orgs), f"applicant {n}", frozenset(rng.sample(orgs, 2)),
            industry, district))
    rules = ConflictRules(3, competitor)
    index = ConflictIndex.build(reviewers)
    indexed = {}
    for one in applicants:
        for conflict in index.conflicts(one, rules, TODAY):
            indexed.setdefault((conflict.reviewer_id, conflict.application_id), []).append(
                conflict)
    everything = conflict_matrix(reviewers, applicants, rules, TODAY)
    assert everything and indexed == everything


def test_consulting_for_the_applicant_within_the_window_is_a_conflict() -> None:
    work = Engagement(APPLICANT_USCC, "深圳某某有限公司", "辅导", date(2022, 3, 1),
                      date(2023, 12, 31))
    conflicts = find_conflicts(reviewer(engagements=(work,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_CONSULTING]
    assert "辅导" in conflicts[0].reason and "2023-12-31" in conflicts[0].reason


def test_consulting_for_a_subsidiary_counts_and_ongoing_work_counts() -> None:
    work = Engagement(SUBSIDIARY_USCC, "子公司", "咨询", date(2025, 1, 1))
    conflicts = find_conflicts(reviewer(engagements=(work,)), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_CONSULTING]
    assert "ongoing" in conflicts[0].reason and "related organization" in conflicts[0].reason


def test_consulting_that_ended_before_the_window_is_no_conflict() -> None:
    on_boundary = Engagement(APPLICANT_USCC, "x", "咨询", date(2019, 1, 1), date(2022, 6, 15))
    before = Engagement(APPLICANT_USCC, "x", "咨询", date(2019, 1, 1), date(2022, 6, 14))
    assert rules_of(find_conflicts(reviewer(engagements=(on_boundary,)), applicant(), RULES,
                                   TODAY)) == [RULE_CONSULTING]
    assert find_conflicts(reviewer(engagements=(before,)), applicant(), RULES, TODAY) == []


def test_a_shareholding_in_the_applicant_or_a_related_organization_is_a_conflict() -> None:
    held = (Shareholding(APPLICANT_USCC, "深圳某某有限公司", "0.5%"),
            Shareholding(SUBSIDIARY_USCC, "子公司"), Shareholding(OTHER_USCC, "别家"))
    conflicts = find_conflicts(reviewer(shareholdings=held), applicant(), RULES, TODAY)
    assert rules_of(conflicts) == [RULE_SHAREHOLDING, RULE_SHAREHOLDING]
    assert "0.5%" in conflicts[0].reason


_orgs = st.sampled_from([APPLICANT_USCC, SUBSIDIARY_USCC, OTHER_USCC,
                         APPLICANT_USCC.lower(), f" {OTHER_USCC} "])
_days = st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 12, 31))


@given(
    jobs=st.lists(st.builds(Employment, _orgs, st.just("org"), _days,
                            st.one_of(st.none(), _days)), max_size=3),
    works=st.lists(st.builds(Engagement, _orgs, st.just("org"), st.sampled_from(["辅导", "咨询"]),
                             _days, st.one_of(st.none(), _days)), max_size=3),
    held=st.lists(st.builds(Shareholding, _orgs, st.just("org")), max_size=3),
    window=st.integers(min_value=0, max_value=6),
)
def test_every_link_to_the_applicants_group_within_the_window_is_found_and_nothing_else(
    jobs: list[Employment], works: list[Engagement], held: list[Shareholding], window: int,
) -> None:
    """Property: a record names a conflict exactly when its organization is the applicant
    or a related one (USCCs compared tidied) and, for dated records, it lasts or ended on or
    after the window's start; the index finds the same."""
    profile = reviewer(employments=tuple(jobs), engagements=tuple(works),
                       shareholdings=tuple(held))
    rules = ConflictRules(window)
    cutoff = years_before(TODAY, window)
    group = {APPLICANT_USCC, SUBSIDIARY_USCC}

    def linked(uscc: str, end: date | None = None) -> bool:
        return uscc.strip().upper() in group and (end is None or end >= cutoff)

    found = find_conflicts(profile, applicant(), rules, TODAY)
    assert rules_of(found).count(RULE_EMPLOYMENT) == sum(linked(j.organization_uscc, j.end)
                                                         for j in jobs)
    assert rules_of(found).count(RULE_CONSULTING) == sum(linked(w.organization_uscc, w.end)
                                                         for w in works)
    assert rules_of(found).count(RULE_SHAREHOLDING) == sum(linked(h.organization_uscc)
                                                           for h in held)
    assert ConflictIndex.build([profile]).conflicts(applicant(), rules, TODAY) == found
