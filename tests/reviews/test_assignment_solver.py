"""Reviewer assignment: constraints, exact optimality, balance, diagnosis, replacement."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

import pytest

from mqa_workflow.reviews.assignment import (
    ApplicationNeed,
    Assignment,
    AssignmentResult,
    AssignmentWeights,
    ReviewerSlot,
    assign_reviewers,
    assignment_cost,
)
from tests.reviews.instances import cycle_sized_instance
from tests.reviews.lp import lp_relaxation_objective

CLASSES = ("economic", "cultural", "social", "ecological", "management", "service")
INDUSTRIES = ("电子信息", "生物医药", "金融", "物流", "建筑")


def slot(
    rid: int,
    *,
    classes: Sequence[str] = ("economic",),
    industries: Sequence[str] = (),
    capacity: int = 10,
    load: int = 0,
    lead: bool = True,
) -> ReviewerSlot:
    return ReviewerSlot(rid, frozenset(classes), frozenset(industries), capacity, load, lead)


def need(
    aid: int,
    k: int = 2,
    *,
    cls: str = "economic",
    industry: str = "金融",
    already: Sequence[int] = (),
    leader: bool = True,
) -> ApplicationNeed:
    return ApplicationNeed(aid, cls, industry, k, frozenset(already), leader)


def random_instance(
    rng: random.Random, n_apps: int, n_revs: int, k_range: tuple[int, int], n_classes: int = 3
) -> tuple[list[ReviewerSlot], list[ApplicationNeed], set[tuple[int, int]]]:
    classes = CLASSES[:n_classes]
    reviewers = [
        ReviewerSlot(
            100 + r,
            frozenset(rng.sample(classes, rng.randint(1, n_classes))),
            frozenset(rng.sample(INDUSTRIES, rng.randint(0, 2))),
            rng.randint(1, 4),
            rng.randint(0, 1),
            rng.random() < 0.5,
        )
        for r in range(n_revs)
    ]
    needs = [
        ApplicationNeed(a, rng.choice(classes), rng.choice(INDUSTRIES), rng.randint(*k_range))
        for a in range(n_apps)
    ]
    excluded = {(rng.choice(reviewers).reviewer_id, rng.randrange(n_apps)) for _ in range(n_apps)}
    return reviewers, needs, excluded


def assert_valid(
    result: AssignmentResult,
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: set[tuple[int, int]],
) -> None:
    """Every hard constraint of the model, checked from the outside."""
    by_rev = {r.reviewer_id: r for r in reviewers}
    uncovered = {u.application_id for u in result.uncovered}
    pairs = [(x.application_id, x.reviewer_id) for x in result.assignments]
    assert len(pairs) == len(set(pairs)), "a reviewer appears twice in one team"
    teams: dict[int, list[Assignment]] = {n.application_id: [] for n in needs}
    for x in result.assignments:
        teams[x.application_id].append(x)
    for n in needs:
        team = teams[n.application_id]
        if n.application_id in uncovered:
            assert team == [], "an uncovered application got a partial team"
            continue
        assert len(team) == n.reviewers_needed - len(n.already_assigned)
        leaders = [x for x in team if x.is_leader]
        assert len(leaders) == (1 if n.needs_leader else 0)
        assert all(by_rev[x.reviewer_id].may_lead for x in leaders)
        for x in team:
            assert n.award_class in by_rev[x.reviewer_id].classes
            assert (x.reviewer_id, n.application_id) not in excluded
            assert x.reviewer_id not in n.already_assigned
    for rid, count in Counter(x.reviewer_id for x in result.assignments).items():
        assert count <= by_rev[rid].capacity - by_rev[rid].current_load


def loads(result: AssignmentResult) -> Counter[int]:
    return Counter(x.reviewer_id for x in result.assignments)


def team(result: AssignmentResult, aid: int) -> set[tuple[int, bool]]:
    return {(x.reviewer_id, x.is_leader) for x in result.assignments if x.application_id == aid}


# --------------------------------------------------------------------------- constraints


@pytest.mark.parametrize("seed", range(25))
def test_random_instances_respect_every_constraint(seed: int) -> None:
    rng = random.Random(seed)
    reviewers, needs, excluded = random_instance(rng, n_apps=30, n_revs=18, k_range=(2, 4))
    result = assign_reviewers(reviewers, needs, excluded)
    assert_valid(result, reviewers, needs, excluded)
    assert assignment_cost(result.assignments, reviewers, needs) == result.objective


def test_same_input_gives_the_same_result() -> None:
    reviewers, needs, excluded = random_instance(random.Random(7), 40, 20, (2, 5))
    assert assign_reviewers(reviewers, needs, excluded) == assign_reviewers(
        reviewers, needs, excluded
    )


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="reviewer ids"):
        assign_reviewers([slot(1), slot(1)], [need(1)])
    with pytest.raises(ValueError, match="application ids"):
        assign_reviewers([slot(1)], [need(1), need(1)])


# --------------------------------------------------------------------------- optimality


def team_options(n: ApplicationNeed, ok: list[ReviewerSlot]) -> list[list[Assignment]]:
    """Every new team for one application: a leader (if needed) plus members."""
    m = n.reviewers_needed - len(n.already_assigned)
    aid = n.application_id
    if not n.needs_leader:
        return [
            [Assignment(aid, r.reviewer_id, False) for r in group]
            for group in itertools.combinations(ok, m)
        ]
    return [
        [Assignment(aid, lead.reviewer_id, True)]
        + [Assignment(aid, r.reviewer_id, False) for r in group]
        for lead in ok
        if lead.may_lead
        for group in itertools.combinations([r for r in ok if r is not lead], m - 1)
    ]


def brute_force_optimum(
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: set[tuple[int, int]],
) -> int | None:
    """Enumerate every combination of teams; None if none respects capacity."""
    options = []
    for n in needs:
        ok = [
            r
            for r in reviewers
            if n.award_class in r.classes
            and r.reviewer_id not in n.already_assigned
            and (r.reviewer_id, n.application_id) not in excluded
        ]
        options.append(team_options(n, ok))
    free = {r.reviewer_id: r.capacity - r.current_load for r in reviewers}
    best = None
    for choice in itertools.product(*options):
        chosen = [x for group in choice for x in group]
        counts = Counter(x.reviewer_id for x in chosen)
        if all(counts[rid] <= free[rid] for rid in counts):
            cost = assignment_cost(chosen, reviewers, needs)
            best = cost if best is None else min(best, cost)
    return best


def _economic_slots(rng: random.Random, count: int, *, loaded: bool) -> list[ReviewerSlot]:
    """``count`` economic reviewers knowing two random industries, capacity 1–3, a
    current load of 0–1 when ``loaded`` (else none), 60 % may lead."""
    return [
        ReviewerSlot(
            r,
            frozenset({"economic"}),
            frozenset(rng.sample(INDUSTRIES, 2)),
            rng.randint(1, 3),
            rng.randint(0, 1) if loaded else 0,
            rng.random() < 0.6,
        )
        for r in range(count)
    ]


def _small_instance(seed: int) -> tuple[
        list[ReviewerSlot], list[ApplicationNeed], set[tuple[int, int]]]:
    """Five reviewers, three applications of two each, two conflicted pairs: small
    enough for the brute force; the same for a seed in the test and in its guard."""
    rng = random.Random(1000 + seed)
    reviewers = _economic_slots(rng, 5, loaded=True)
    needs = [need(10 + a, 2, industry=rng.choice(INDUSTRIES)) for a in range(3)]
    excluded = {(rng.randrange(5), 10 + rng.randrange(3)) for _ in range(2)}
    return reviewers, needs, excluded


@pytest.mark.parametrize("seed", range(30))
def test_objective_equals_brute_force_optimum_on_small_instances(seed: int) -> None:
    reviewers, needs, excluded = _small_instance(seed)
    expected = brute_force_optimum(reviewers, needs, excluded)
    result = assign_reviewers(reviewers, needs, excluded)
    if expected is None:
        assert result.uncovered, "brute force found no feasible assignment"
    else:
        assert result.uncovered == ()
        assert result.objective == expected
        assert assignment_cost(result.assignments, reviewers, needs) == expected


@pytest.mark.parametrize("seed", range(12))
def test_objective_equals_brute_force_with_k3_replacements_and_no_leader(seed: int) -> None:
    rng = random.Random(3000 + seed)
    reviewers = _economic_slots(rng, 6, loaded=False)
    needs = [
        need(
            10 + a,
            3,
            industry=rng.choice(INDUSTRIES),
            leader=rng.random() < 0.7,
            already=rng.sample(range(6), rng.randint(0, 1)),
        )
        for a in range(3)
    ]
    expected = brute_force_optimum(reviewers, needs, set())
    result = assign_reviewers(reviewers, needs)
    if expected is None:
        assert result.uncovered
    else:
        assert result.uncovered == ()
        assert result.objective == expected


def test_brute_force_comparison_covers_feasible_instances() -> None:
    # Guard against the parametrized test passing vacuously on infeasible draws only.
    feasible = 0
    for seed in range(30):
        reviewers, needs, excluded = _small_instance(seed)
        feasible += brute_force_optimum(reviewers, needs, excluded) is not None
    assert feasible >= 10


def test_equal_expertise_spreads_load_to_within_one() -> None:
    reviewers = [slot(r, industries=("金融",)) for r in range(6)]
    needs = [need(a, 3) for a in range(7)]  # 21 places over 6 reviewers: loads 3 or 4
    result = assign_reviewers(reviewers, needs)
    assert result.uncovered == ()
    counts = [loads(result)[r.reviewer_id] for r in reviewers]
    assert max(counts) - min(counts) <= 1
    assert sum(counts) == 21


def test_current_load_counts_toward_balance() -> None:
    # 6 places; the marginal cost of reviewer 1 starts at 4, the others' at 1.
    reviewers = [slot(1, load=3), slot(2), slot(3), slot(4)]
    result = assign_reviewers(reviewers, [need(a, 2) for a in range(3)])
    counts = loads(result)
    totals = [counts[r.reviewer_id] + r.current_load for r in reviewers]
    assert max(totals) - min(totals) <= 1
    assert counts[1] == 0


def test_industry_experts_are_preferred() -> None:
    experts = [slot(r, industries=("金融",)) for r in (1, 2, 3)]
    others = [slot(r, industries=("物流",)) for r in (4, 5, 6)]
    result = assign_reviewers(experts + others, [need(1, 3, industry="金融")])
    assert {x.reviewer_id for x in result.assignments} == {1, 2, 3}


def test_leader_with_industry_match_is_preferred_as_leader() -> None:
    reviewers = [
        slot(1, industries=("物流",), lead=True),
        slot(2, industries=("金融",), lead=True),
        slot(3, industries=("金融",), lead=False),
    ]
    result = assign_reviewers(reviewers, [need(1, 2, industry="金融")])
    assert team(result, 1) == {(2, True), (3, False)}


def test_load_weight_can_outweigh_expertise() -> None:
    # With β large, spreading beats piling every application onto the one expert.
    reviewers = [slot(1, industries=("金融",)), slot(2), slot(3)]
    needs = [need(a, 1, leader=False) for a in range(3)]
    heavy = assign_reviewers(reviewers, needs, weights=AssignmentWeights(load=20))
    light = assign_reviewers(reviewers, needs, weights=AssignmentWeights(load=1))
    assert sorted(loads(heavy).values()) == [1, 1, 1]
    assert loads(light)[1] == 3


# --------------------------------------------------------------------------- infeasibility


def test_too_few_qualified_reviewers_is_reported_with_counts() -> None:
    reviewers = [slot(r) for r in range(4)] + [slot(9, classes=("cultural",))]
    result = assign_reviewers(reviewers, [need(12, 5)], excluded={(0, 12)})
    assert result.assignments == ()
    assert [u.application_id for u in result.uncovered] == [12]
    assert result.uncovered[0].reason == (
        "application 12 (economic): needs 5 reviewers but only 3 are qualified for economic "
        "and free of conflicts"
    )


def test_no_qualified_leader_is_reported() -> None:
    reviewers = [slot(r, lead=(r == 3)) for r in range(4)]
    result = assign_reviewers(reviewers, [need(12, 3)], excluded={(3, 12)})
    assert result.assignments == ()
    assert "no reviewer who may lead a team is qualified for economic and free of conflicts" in (
        result.uncovered[0].reason
    )


def test_capacity_already_used_up_is_reported() -> None:
    reviewers = [slot(r, capacity=3, load=3 if r < 3 else 0) for r in range(5)]
    result = assign_reviewers(reviewers, [need(12, 3)])
    assert result.assignments == ()
    assert (
        "5 are qualified for economic and free of conflicts but only 2 of them have "
        "capacity left" in result.uncovered[0].reason
    )


def test_capacity_taken_by_other_applications_leaves_first_ones_complete() -> None:
    reviewers = [slot(r, capacity=1) for r in range(3)]
    result = assign_reviewers(reviewers, [need(1, 3), need(2, 3)])
    assert [u.application_id for u in result.uncovered] == [2]
    assert "capacity is taken by other applications" in result.uncovered[0].reason
    assert len(team(result, 1)) == 3 and team(result, 2) == set()


def test_input_order_is_the_priority_when_capacity_is_short() -> None:
    reviewers = [slot(r, capacity=1) for r in range(3)]
    result = assign_reviewers(reviewers, [need(2, 3), need(1, 3)])
    assert [u.application_id for u in result.uncovered] == [1]
    assert len(team(result, 2)) == 3


def test_leader_capacity_taken_by_other_applications_is_reported_as_such() -> None:
    reviewers = [slot(1, capacity=1, lead=True)] + [slot(r, lead=False) for r in (2, 3, 4)]
    result = assign_reviewers(reviewers, [need(1, 2), need(2, 2)])
    assert [u.application_id for u in result.uncovered] == [2]
    assert "reviewers who may lead a team" in result.uncovered[0].reason
    assert "capacity is taken by other applications" in result.uncovered[0].reason


def test_coverable_applications_get_full_teams_when_others_cannot_be_covered() -> None:
    reviewers = [slot(r, capacity=2, lead=r % 2 == 0) for r in range(6)]
    needs = [
        need(1, 3),
        need(2, 7),  # more than there are reviewers
        need(3, 2, cls="service"),  # nobody is qualified
        need(4, 3),
        need(5, 3),
        need(6, 3),  # 4 × 3 places fit in 6 × 2 capacity, a fifth team does not
        need(7, 3),
    ]
    result = assign_reviewers(reviewers, needs)
    assert_valid(result, reviewers, needs, set())
    assert {u.application_id for u in result.uncovered} == {2, 3, 7}
    for aid in (1, 4, 5, 6):
        assert len(team(result, aid)) == 3


def test_shortage_spread_over_teams_is_concentrated_not_dropping_everyone() -> None:
    # Capacity for 9 of 10 teams: exactly one application may go uncovered.
    reviewers = [slot(r, classes=CLASSES, capacity=3) for r in range(9)]
    needs = [need(a, 3, cls=CLASSES[a % 6]) for a in range(10)]
    result = assign_reviewers(reviewers, needs)
    assert_valid(result, reviewers, needs, set())
    assert len(result.uncovered) == 1
    assert len(result.assignments) == 27


@pytest.mark.parametrize("seed", range(10))
def test_random_tight_instances_only_hand_out_complete_teams(seed: int) -> None:
    rng = random.Random(500 + seed)
    reviewers, needs, excluded = random_instance(rng, n_apps=40, n_revs=12, k_range=(3, 5))
    result = assign_reviewers(reviewers, needs, excluded)
    assert_valid(result, reviewers, needs, excluded)
    assert result.uncovered, "instance meant to be infeasible"
    covered = [
        n for n in needs if n.application_id not in {u.application_id for u in result.uncovered}
    ]
    assert covered, "some applications can always be covered here"
    lp = lp_relaxation_objective(reviewers, covered, excluded)
    assert lp == pytest.approx(result.objective)  # the covered ones are solved optimally


# --------------------------------------------------------------------------- replacement


def test_replacement_keeps_assigned_reviewers_and_adds_only_the_missing_member() -> None:
    reviewers = [slot(r) for r in range(1, 6)]
    declined = {(3, 12)}
    replacement = need(12, 3, already=(1, 2), leader=False)  # 3 declined; 1 still leads
    result = assign_reviewers(reviewers, [replacement], excluded=declined)
    assert result.uncovered == ()
    assert len(result.assignments) == 1
    (new,) = result.assignments
    assert new.reviewer_id in {4, 5} and not new.is_leader


def test_replacement_of_a_withdrawn_leader_assigns_a_new_leader() -> None:
    reviewers = [slot(1), slot(2), slot(3, lead=False), slot(4, lead=True)]
    replacement = need(12, 3, already=(1, 3), leader=True)  # 2 led and withdrew
    result = assign_reviewers(reviewers, [replacement], excluded={(2, 12)})
    assert result.assignments == (Assignment(12, 4, True),)


def test_full_team_still_needing_a_leader_is_reported() -> None:
    result = assign_reviewers([slot(r) for r in range(4)], [need(12, 2, already=(0, 1))])
    assert result.assignments == ()
    assert "no place for one" in result.uncovered[0].reason


def test_complete_team_without_leader_need_gets_nothing_new() -> None:
    result = assign_reviewers(
        [slot(r) for r in range(4)], [need(12, 2, already=(0, 1), leader=False)]
    )
    assert result == AssignmentResult((), 0, ())


# --------------------------------------------------------------------------- LP relaxation


@pytest.mark.parametrize("seed", range(10))
def test_lp_relaxation_never_exceeds_flow_cost_and_matches_it(seed: int) -> None:
    rng = random.Random(2000 + seed)
    reviewers, needs, excluded = random_instance(rng, n_apps=15, n_revs=20, k_range=(2, 3))
    result = assign_reviewers(reviewers, needs, excluded)
    covered = [
        n for n in needs if n.application_id not in {u.application_id for u in result.uncovered}
    ]
    lp = lp_relaxation_objective(reviewers, covered, excluded)
    assert lp is not None
    assert lp <= result.objective + 1e-6
    # The constraint matrix is a network matrix: the LP optimum is integral.
    assert lp == pytest.approx(result.objective)


def test_lp_relaxation_equals_flow_cost_on_small_instance() -> None:
    reviewers = [
        slot(1, industries=("金融",)),
        slot(2),
        slot(3, lead=False),
        slot(4, industries=("金融",), lead=False),
    ]
    needs = [need(1, 2), need(2, 3, industry="物流")]
    result = assign_reviewers(reviewers, needs)
    assert result.uncovered == ()
    assert lp_relaxation_objective(reviewers, needs) == pytest.approx(result.objective)


def test_lp_relaxation_is_none_when_not_everything_can_be_covered() -> None:
    assert lp_relaxation_objective([slot(1), slot(2)], [need(1, 3)]) is None


def test_a_cycle_of_2000_applications_is_staffed_at_the_lp_optimum() -> None:
    reviewers, needs, excluded = cycle_sized_instance(2000, 600, 5)
    result = assign_reviewers(reviewers, needs, excluded)
    assert result.uncovered == ()
    assert_valid(result, reviewers, needs, excluded)
    assert result.objective == assignment_cost(result.assignments, reviewers, needs)
    lp = lp_relaxation_objective(reviewers, needs, excluded)
    assert lp == pytest.approx(result.objective)  # integrality gap 0
