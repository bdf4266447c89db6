"""差额选拔: ranking, ties, balance caps, the reason for every candidate, optimality."""

from __future__ import annotations

import random
from decimal import Decimal
from itertools import combinations

import pytest

from mqa_workflow.procedure.candidate_selection import (
    BalanceRule,
    Candidate,
    SelectionError,
    rank,
    select,
)

D = Decimal
CAP_TWO = BalanceRule(attribute="industry", max_per_group=2)


def _c(app: int, score: str, industry: str, tie: str = "0", **attrs: str) -> Candidate:
    return Candidate(app, D(score), {"industry": industry, **attrs}, D(tie))


ECONOMIC = [
    _c(11, "468.5", "电子信息"),
    _c(12, "461", "电子信息"),
    _c(13, "455.25", "电子信息"),  # third from one industry: skipped
    _c(14, "440", "生物医药"),
    _c(15, "432", "先进制造"),
    _c(16, "420", "电子信息"),
]


def test_a_selection_skips_a_higher_score_to_keep_balance() -> None:
    result = select(ECONOMIC, places=4, rule=CAP_TWO)
    assert result.selected == (11, 12, 14, 15)
    skipped = result.entry(13)
    assert not skipped.selected
    assert skipped.skipped_for_balance
    assert skipped.replaced_by == 15
    assert skipped.reason == (
        "rank 3 (application 13, 455.25), not selected: 电子信息 already has 2 of at most "
        "2 places — skipped to keep balance; rank 5 (application 15, 432) takes the place"
    )
    taker = result.entry(15)
    assert taker.lower_score_selected
    assert taker.replaces == 13
    assert taker.selected_over == (13,)
    assert "takes the place of rank 3 (application 13, 455.25)" in taker.reason


def test_every_candidate_gets_a_reason_in_rank_order() -> None:
    result = select(ECONOMIC, places=4, rule=CAP_TWO)
    assert [e.application_id for e in result.entries] == [11, 12, 13, 14, 15, 16]
    assert [e.rank for e in result.entries] == [1, 2, 3, 4, 5, 6]
    assert result.entry(11).reason == (
        "rank 1 (application 11, 468.5), selected: place 1 of 4; 电子信息 1 of at most 2"
    )
    assert result.entry(16).reason == (
        "rank 6 (application 16, 420), not selected: all 4 places went to "
        "higher-ranked applications"
    )
    # 14 is in the top four anyway: it passes 13 in order but takes nobody's place.
    assert result.entry(14).replaces is None
    assert result.entry(14).lower_score_selected


def test_without_a_cap_the_top_scores_are_selected() -> None:
    result = select(ECONOMIC, places=4, rule=BalanceRule())
    assert result.selected == (11, 12, 13, 14)
    assert result.balance_skips == ()


def test_balance_over_another_attribute_for_a_non_economic_class() -> None:
    candidates = [
        Candidate(1, D("450"), {"district": "南山区"}),
        Candidate(2, D("445"), {"district": "南山区"}),
        Candidate(3, D("430"), {"district": "福田区"}),
    ]
    result = select(candidates, 2, BalanceRule(attribute="district", max_per_group=1))
    assert result.selected == (1, 3)
    assert "南山区 already has 1 of at most 1 places" in result.entry(2).reason


def test_several_skips_are_replaced_in_rank_order() -> None:
    candidates = [
        _c(1, "490", "A"), _c(2, "480", "A"), _c(3, "470", "A"),
        _c(4, "460", "B"), _c(5, "450", "C"),
    ]  # fmt: skip
    result = select(candidates, 3, BalanceRule(max_per_group=1))
    assert result.selected == (1, 4, 5)
    assert result.entry(2).replaced_by == 4
    assert result.entry(3).replaced_by == 5
    assert (result.entry(4).replaces, result.entry(5).replaces) == (2, 3)
    assert result.entry(5).selected_over == (2, 3)
    assert not result.entry(1).lower_score_selected


def test_a_candidate_skipped_below_the_cut_loses_no_place() -> None:
    candidates = [_c(1, "490", "A"), _c(2, "480", "A"), _c(3, "470", "A"), _c(4, "460", "B")]
    result = select(candidates, 2, BalanceRule(max_per_group=1))
    assert result.selected == (1, 4)
    assert result.entry(2).replaced_by == 4
    assert result.entry(3).skipped_for_balance
    assert result.entry(3).replaced_by is None
    assert "ranks below the 2 places in any case" in result.entry(3).reason


def test_places_left_unfilled_when_the_caps_allow_no_more() -> None:
    candidates = [_c(1, "490", "A"), _c(2, "480", "A"), _c(3, "470", "B")]
    result = select(candidates, 3, BalanceRule(max_per_group=1))
    assert result.selected == (1, 3)
    assert result.unfilled_places == 1
    assert result.entry(2).replaced_by is None
    assert "no lower-ranked application could take the place" in result.entry(2).reason


def test_a_per_group_cap_overrides_the_default_and_zero_excludes_a_group() -> None:
    rule = BalanceRule(max_per_group=2, group_caps={"A": 1, "C": 0})
    candidates = [_c(1, "490", "C"), _c(2, "480", "A"), _c(3, "470", "A"), _c(4, "460", "B")]
    result = select(candidates, 3, rule)
    assert result.selected == (2, 4)
    assert "the cycle allows no places to C" in result.entry(1).reason


def test_a_score_tie_goes_to_the_higher_tie_break_key_then_the_lower_id() -> None:
    candidates = [
        _c(9, "450", "A", tie="200"),
        _c(7, "450", "B", tie="210"),
        _c(3, "450", "C", tie="200"),
        _c(1, "449.5", "D", tie="999"),
    ]
    assert [c.application_id for c in rank(candidates)] == [7, 3, 9, 1]
    result = select(candidates, 2, BalanceRule())
    assert result.selected == (7, 3)
    assert "tied on score with rank 2, ordered by tie-break key 210 > 200" in result.entry(7).reason
    assert "lower application id 3" in result.entry(9).reason


def test_zero_places_selects_nobody_and_says_why() -> None:
    result = select(ECONOMIC, 0, CAP_TWO)
    assert result.selected == ()
    assert result.entry(11).reason.endswith("the class has no places")


def test_bad_inputs_are_refused_with_every_problem() -> None:
    candidates = [_c(1, "400", "A"), _c(1, "300", "B"), Candidate(2, D("350"), {})]
    with pytest.raises(SelectionError) as caught:
        select(candidates, -1, BalanceRule(max_per_group=0, group_caps={"A": -1}))
    problems = caught.value.problems
    assert "places must be 0 or more, got -1" in problems
    assert "the cap per industry must be at least 1, got 0" in problems
    assert "the cap for industry A must be 0 or more, got -1" in problems
    assert "application 1 is listed 2 times" in problems
    assert "application 2 has no industry; the balance rule needs it" in problems


def _feasible(chosen: tuple[Candidate, ...], rule: BalanceRule) -> bool:
    counts: dict[str, int] = {}
    for c in chosen:
        group = c.attributes[rule.attribute]
        counts[group] = counts.get(group, 0) + 1
    return all(n <= (rule.cap(g) or 0) for g, n in counts.items())


@pytest.mark.parametrize("seed", range(25))
def test_greedy_matches_the_best_selection_by_brute_force(seed: int) -> None:
    # Matroid greedy: maximum total, as many places as possible, and (Gale) its
    # k-th best score is at least the k-th best of any feasible selection.
    rng = random.Random(seed)
    candidates = [
        _c(i, str(rng.randrange(300, 500)), rng.choice("ABC"), str(rng.randrange(3)))
        for i in range(1, 9)
    ]
    places, rule = rng.randrange(1, 6), BalanceRule(max_per_group=rng.randrange(1, 3))
    result = select(candidates, places, rule)
    chosen = [c for c in candidates if c.application_id in result.selected]
    best_size = max(
        size for size in range(places + 1)
        for combo in combinations(candidates, size) if _feasible(combo, rule)
    )
    assert len(chosen) == best_size
    greedy_scores = sorted((c.score for c in chosen), reverse=True)
    for combo in combinations(candidates, best_size):
        if _feasible(combo, rule):
            other = sorted((c.score for c in combo), reverse=True)
            assert all(g >= o for g, o in zip(greedy_scores, other, strict=True))
