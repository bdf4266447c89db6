"""Reviewer assignment (评审分组) as an exact optimization, solved as a min-cost flow.

Used for document-review teams and for site-visit teams (k from the cycle
rules, a leader required). Pure: dataclasses in, an :class:`AssignmentResult` out.

Model
-----
Let ``R`` be the reviewers and ``A`` the applications. For application ``a``
with ``k_a = reviewers_needed`` and already assigned reviewers ``S_a`` (kept
after a decline or withdrawal, they count toward ``k_a``), it needs
``m_a = k_a − |S_a|`` new reviewers and ``L_a = 1`` new leader if
``needs_leader`` (else 0). Reviewer ``r`` has free capacity
``c_r = capacity_r − current_load_r``.

A pair ``(r, a)`` is *eligible* iff ``r`` is qualified for ``a``'s award class,
``(r, a)`` is not excluded (conflicted or declined) and ``r ∉ S_a``. Binary
variables, for eligible pairs only:

* ``x[r,a] = 1``: ``r`` joins ``a``'s team as a member (not the leader);
* ``l[r,a] = 1``: ``r`` joins ``a``'s team as its leader (only if ``may_lead``).

Constraints::

    Σ_r l[r,a] = L_a                      one new leader if needed
    Σ_r x[r,a] = m_a − L_a                the rest of the k_a − |S_a| new reviewers
    x[r,a] + l[r,a] ≤ 1                   nobody is both leader and member of a team
    n_r = Σ_a (x[r,a] + l[r,a]) ≤ c_r     capacity

Objective (minimise a cost, all integers; weights in :class:`AssignmentWeights`)::

    Σ_{r,a} −W_match · match(r,a) · (x[r,a] + l[r,a])     expertise: industry match
  + Σ_{r,a} −W_lead  · match(r,a) · l[r,a]                a leader who knows the industry
  + Σ_r Σ_{j=1..n_r} β · (current_load_r + j)             convex load cost

``match(r,a) = 1`` iff ``a.industry ∈ r.industries``. The j-th new assignment of
``r`` costs ``β·(current_load_r + j)``, so the marginal cost increases and the
optimum spreads work instead of piling it on the best-matching reviewers.

Flow network (integral, so min-cost flow solves the integer program exactly):
per application a leader-slot node (supply ``L_a``), a member-slot node
(supply ``m_a − L_a``) and, when it needs a leader, two hub nodes: one for the
reviewers who may lead and know its industry, one for those who may lead and
do not. Arcs: leader-slot → each hub (the industry hub costing ``−W_lead``),
member-slot → each hub (cost 0), hub → reviewer (capacity 1, cost
``−W_match·match``) for every eligible may-lead pair, member-slot → reviewer
(capacity 1, cost ``−W_match·match``) for every other eligible pair, and
reviewer → sink through ``c_r`` parallel unit arcs costing
``β·(current_load_r + j)``, j = 1, 2, … (the convex load cost). Each pair has a
single unit arc, so nobody takes two places in one team (``x + l ≤ 1``); within
a hub every reviewer costs the same in either role, so which of the hub's
reviewers leads does not change the cost (the first, for determinism). This
keeps the network at one arc per eligible pair and O(A + R) nodes (10,000
applications × 2,000 reviewers: about 6 M arcs and 40 k nodes). All
capacities and supplies are integers, so the optimal flow is integral and is
an optimal solution of the model. A feasible instance is solved by the plain
min-cost flow; only an infeasible one pays for a maximum flow first.

Infeasible instances: ``solve_max_flow_with_min_cost`` still returns a
(maximum, cheapest) flow, but that flow may spread the shortage over many
teams. An application is only ever given a complete team:

1. applications that cannot be covered even on their own are diagnosed up
   front (too few qualified reviewers free of conflicts, no possible leader,
   capacity already used up) and left out;
2. the rest are solved; if all are covered that single solve is the answer;
3. otherwise, in rounds, applications still in doubt get a bypass arc to the
   sink with a large penalty per unfilled place, higher for applications
   earlier in ``needs`` (input order is the priority when capacity is short).
   Those that come out fully covered are accepted (their teams are jointly
   feasible with the ones accepted before); the mandatory ones never lose
   their cover. Applications that cannot fit into what is left are given up
   with the reason "capacity is taken by other applications";
4. a final solve over the accepted applications gives their optimal teams.

Maximising the number of fully covered applications is an all-or-nothing
flow problem (NP-hard in general), so step 3 is a greedy: every application it
accepts gets an optimal full team, but in rare cases a different choice of
uncovered applications could have covered one more.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

IntArray = NDArray[np.int64] | NDArray[np.int32]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ReviewerSlot:
    """A candidate reviewer; ``may_lead`` is off unless the reviewer may lead teams."""

    reviewer_id: int
    classes: frozenset[str]
    industries: frozenset[str]
    capacity: int
    current_load: int = 0
    may_lead: bool = False


@dataclass(frozen=True)
class ApplicationNeed:
    application_id: int
    award_class: str
    industry: str
    reviewers_needed: int
    # Kept reviewers after a decline/withdrawal; they count toward reviewers_needed.
    already_assigned: frozenset[int] = field(default_factory=frozenset)
    # False when a kept reviewer already leads the team.
    needs_leader: bool = True


@dataclass(frozen=True)
class AssignmentWeights:
    """Integer cost weights (min-cost flow needs integers)."""

    industry_match: int = 10  # W_match: reward for a reviewer who knows the industry
    leader_industry_match: int = 3  # W_lead: extra reward for such a leader
    load: int = 1  # β: marginal cost of the j-th new assignment is β·(current_load + j)

    def __post_init__(self) -> None:
        if min(self.industry_match, self.leader_industry_match, self.load) < 0:
            raise ValueError("weights must not be negative")


@dataclass(frozen=True)
class Assignment:
    application_id: int
    reviewer_id: int
    is_leader: bool


@dataclass(frozen=True)
class Uncovered:
    application_id: int
    reason: str


@dataclass(frozen=True)
class AssignmentResult:
    assignments: tuple[Assignment, ...]
    objective: int  # the model's cost of ``assignments`` (lower is better)
    uncovered: tuple[Uncovered, ...]


# --------------------------------------------------------------------------- instance


@dataclass(frozen=True)
class _Instance:
    """The problem as arrays; pairs are the eligible (application, reviewer) pairs."""

    reviewers: Sequence[ReviewerSlot]
    needs: Sequence[ApplicationNeed]
    free: IntArray  # c_r, per reviewer index
    load0: IntArray  # current_load_r
    may_lead: BoolArray
    new_needed: IntArray  # m_a, per application index
    leader_needed: IntArray  # L_a ∈ {0, 1}
    pair_app: IntArray  # application index of each eligible pair, sorted by (app, reviewer)
    pair_rev: IntArray  # reviewer index of each eligible pair
    pair_match: BoolArray  # application's industry ∈ reviewer's industries


def _index(values: Iterable[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(sorted(set(values)))}


def _membership(reviewers: Sequence[ReviewerSlot], attr: str, keys: dict[str, int]) -> BoolArray:
    """Boolean matrix [key, reviewer]: does the reviewer's set (classes/industries) hold key."""
    matrix = np.zeros((len(keys), len(reviewers)), dtype=bool)
    for r, reviewer in enumerate(reviewers):
        for value in getattr(reviewer, attr):
            if value in keys:
                matrix[keys[value], r] = True
    return matrix


def _eligible_pairs(
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: Iterable[tuple[int, int]],
) -> tuple[IntArray, IntArray]:
    """All eligible (application, reviewer) index pairs, sorted by (application, reviewer).

    Built per class from a boolean mask [application of the class, qualified reviewer]
    whose excluded and already-assigned cells are cleared, so the 10⁶–10⁷ candidate
    pairs of a big cycle never go through a Python loop or a sort by key.
    """
    classes = _index(n.award_class for n in needs)
    qualified = _membership(reviewers, "classes", classes)
    app_class = np.fromiter((classes[n.award_class] for n in needs), np.int32, len(needs))
    forbidden = _forbidden(reviewers, needs, excluded)
    apps_parts, revs_parts = [], []
    for c in range(len(classes)):
        apps = np.flatnonzero(app_class == c).astype(np.int32)
        revs = np.flatnonzero(qualified[c]).astype(np.int32)
        mask = np.ones((len(apps), len(revs)), dtype=bool)
        local_app = np.full(len(needs), -1, np.int32)
        local_app[apps] = np.arange(len(apps), dtype=np.int32)
        local_rev = np.full(len(reviewers), -1, np.int32)
        local_rev[revs] = np.arange(len(revs), dtype=np.int32)
        f_app, f_rev = local_app[forbidden[0]], local_rev[forbidden[1]]
        inside = (f_app >= 0) & (f_rev >= 0)
        mask[f_app[inside], f_rev[inside]] = False
        rows, cols = np.nonzero(mask)
        apps_parts.append(apps[rows])
        revs_parts.append(revs[cols])
    empty = np.zeros(0, np.int32)
    pair_app = np.concatenate([*apps_parts, empty])
    pair_rev = np.concatenate([*revs_parts, empty])
    # Each class's block is already in (application, reviewer) order: a stable sort by
    # application merges the blocks (few sorted runs, so it is cheap).
    order = np.argsort(pair_app, kind="stable")
    return pair_app[order], pair_rev[order]


def _forbidden(
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: Iterable[tuple[int, int]],
) -> tuple[IntArray, IntArray]:
    """(application index, reviewer index) of excluded and already-assigned pairs."""
    rev_pos = {r.reviewer_id: i for i, r in enumerate(reviewers)}
    app_pos = {n.application_id: i for i, n in enumerate(needs)}
    pairs = [(app_pos[a], rev_pos[r]) for r, a in excluded if r in rev_pos and a in app_pos]
    pairs += [(a, rev_pos[r]) for a, need in enumerate(needs)
              for r in need.already_assigned if r in rev_pos]
    array = np.asarray(pairs, dtype=np.int32).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _check_unique(reviewers: Sequence[ReviewerSlot], needs: Sequence[ApplicationNeed]) -> None:
    if len({r.reviewer_id for r in reviewers}) != len(reviewers):
        raise ValueError("reviewer ids must be unique")
    if len({n.application_id for n in needs}) != len(needs):
        raise ValueError("application ids must be unique")
    if any(n.reviewers_needed < 0 for n in needs):
        raise ValueError("reviewers_needed must not be negative")


def _build_instance(
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: Iterable[tuple[int, int]],
) -> _Instance:
    _check_unique(reviewers, needs)
    pair_app, pair_rev = _eligible_pairs(reviewers, needs, excluded)

    industries = _index(n.industry for n in needs)
    knows = _membership(reviewers, "industries", industries)
    app_industry = np.fromiter((industries[n.industry] for n in needs), np.int64, len(needs))
    new_needed = np.fromiter(
        (max(0, n.reviewers_needed - len(n.already_assigned)) for n in needs),
        np.int64,
        len(needs),
    )
    return _Instance(
        reviewers=reviewers,
        needs=needs,
        free=np.fromiter((max(0, r.capacity - r.current_load) for r in reviewers), np.int64),
        load0=np.fromiter((r.current_load for r in reviewers), np.int64),
        may_lead=np.fromiter((r.may_lead for r in reviewers), bool),
        new_needed=new_needed,
        leader_needed=np.fromiter((n.needs_leader for n in needs), np.int64, len(needs)),
        pair_app=pair_app,
        pair_rev=pair_rev,
        pair_match=knows[app_industry[pair_app], pair_rev],
    )


# --------------------------------------------------------------------------- diagnosis


def _reviewers(count: int) -> str:
    return f"{count} reviewer" if count == 1 else f"{count} reviewers"


def _are(count: int) -> str:
    return f"{count} is" if count == 1 else f"{count} are"


def _verb(count: int) -> str:
    return "is" if count == 1 else "are"


def _needs_phrase(need: ApplicationNeed, new: int) -> str:
    if not need.already_assigned:
        return f"needs {_reviewers(new)}"
    return (
        f"needs {new} more ({need.reviewers_needed} in total, "
        f"{len(need.already_assigned)} already assigned)"
    )


def _static_reasons(inst: _Instance) -> dict[int, str]:
    """Applications that cannot be covered even with no competition, and why.

    If none of these apply the application alone is feasible: pick a free
    may-lead reviewer as leader and any m−1 other free eligible reviewers.
    """
    n_apps = len(inst.needs)
    has_free = inst.free[inst.pair_rev] > 0
    can_lead = inst.may_lead[inst.pair_rev]
    eligible = np.bincount(inst.pair_app, minlength=n_apps)
    eligible_free = np.bincount(inst.pair_app[has_free], minlength=n_apps)
    leaders = np.bincount(inst.pair_app[can_lead], minlength=n_apps)
    leaders_free = np.bincount(inst.pair_app[can_lead & has_free], minlength=n_apps)

    reasons: dict[int, str] = {}
    for a, need in enumerate(inst.needs):
        new, lead, cls = int(inst.new_needed[a]), bool(inst.leader_needed[a]), need.award_class
        found: list[str] = []
        if lead and new == 0:
            found.append(
                f"needs a new leader but its team already has {need.reviewers_needed} "
                "reviewers, so there is no place for one"
            )
        elif eligible[a] < new:
            found.append(
                f"{_needs_phrase(need, new)} but only {_are(eligible[a])} qualified for {cls} "
                "and free of conflicts"
            )
        elif eligible_free[a] < new:
            found.append(
                f"{_needs_phrase(need, new)}; {_are(eligible[a])} qualified for {cls} and free "
                f"of conflicts but only {eligible_free[a]} of them have capacity left"
            )
        if lead and new > 0 and leaders[a] == 0:
            found.append(
                f"no reviewer who may lead a team is qualified for {cls} and free of conflicts"
            )
        elif lead and new > 0 and leaders_free[a] == 0:
            found.append(
                f"{_reviewers(leaders[a])} who may lead a team {_verb(leaders[a])} qualified "
                f"for {cls} and free of conflicts, but none has capacity left"
            )
        if found:
            reasons[a] = f"application {need.application_id} ({cls}): " + "; ".join(found)
    return reasons


def _competition_reason(inst: _Instance, a: int, only_leader_short: bool) -> str:
    need = inst.needs[a]
    prefix = f"application {need.application_id} ({need.award_class}): "
    if only_leader_short:
        return prefix + (
            "reviewers who may lead a team are qualified and free of conflicts, but their "
            "capacity is taken by other applications"
        )
    n_free = int(np.count_nonzero(inst.free[inst.pair_rev[inst.pair_app == a]] > 0))
    return prefix + (
        f"{_needs_phrase(need, int(inst.new_needed[a]))}; {_reviewers(n_free)} qualified and free "
        f"of conflicts {_verb(n_free)} there, but their capacity is taken by other applications"
    )


# --------------------------------------------------------------------------- flow


@dataclass(frozen=True)
class _FlowOutcome:
    leader_pairs: IntArray  # pair indices chosen as leaders
    member_pairs: IntArray  # pair indices chosen as members
    leader_short: BoolArray  # per application: leader slot not filled
    member_short: BoolArray  # per application: member slots not all filled
    cost: int


def _pair_costs(inst: _Instance, weights: AssignmentWeights) -> tuple[IntArray, IntArray]:
    member = np.where(inst.pair_match, -weights.industry_match, 0).astype(np.int64)
    leader = member - np.where(inst.pair_match, weights.leader_industry_match, 0)
    return member, leader


def _load_arcs(
    inst: _Instance, used_revs: IntArray, weights: AssignmentWeights
) -> tuple[IntArray, IntArray]:
    """Reviewer index and cost of each unit arc reviewer → sink (convex load cost).

    A reviewer never needs more unit arcs than it has candidate pairs, which
    keeps the arc count bounded when capacities are generous.
    """
    pairs_per_rev = np.bincount(used_revs, minlength=len(inst.reviewers))
    n_arcs = np.minimum(inst.free, pairs_per_rev)
    rev = np.repeat(np.arange(len(inst.reviewers), dtype=np.int64), n_arcs)
    starts = np.cumsum(n_arcs) - n_arcs
    j = np.arange(len(rev), dtype=np.int64) - np.repeat(starts, n_arcs) + 1  # 1, 2, … per reviewer
    return rev, weights.load * (inst.load0[rev] + j)


def _penalties(inst: _Instance, weights: AssignmentWeights) -> IntArray:
    """Cost per unfilled slot of an optional application, by priority (input order).

    The base exceeds any cost saving from leaving a slot empty: an augmenting
    path visits each reviewer at most once, so it has at most 4·|R| + 4 arcs of
    |cost| ≤ c_max. On top, earlier applications get a higher penalty, so when
    capacity is short it is the later ones that go without, rather than the
    shortage being spread thinly over many teams.
    """
    c_max = (
        weights.industry_match
        + weights.leader_industry_match
        + weights.load * int((inst.load0 + inst.free).max(initial=0))
        + 1
    )
    n_apps = len(inst.needs)
    base = c_max * (4 * len(inst.reviewers) + 5 + n_apps)  # dominates the priority term
    return base + c_max * (n_apps - np.arange(n_apps, dtype=np.int64))


def _solve_flow(
    inst: _Instance,
    active: BoolArray,
    weights: AssignmentWeights,
    optional: BoolArray | None = None,
) -> _FlowOutcome:
    """One min-cost flow solve over the active applications (see the module docstring).

    ``optional`` applications also get a bypass arc slot → sink with a penalty
    per unit (see :func:`_penalties`), so the others are always fully covered
    whenever they can be, and the optional ones are filled as far as possible.
    """
    optional = np.zeros(len(inst.needs), dtype=bool) if optional is None else optional & active
    n_apps, n_revs = len(inst.needs), len(inst.reviewers)
    lead_supply = np.where(active, np.minimum(inst.leader_needed, inst.new_needed), 0)
    member_supply = np.where(active, inst.new_needed - lead_supply, 0)
    pairs = np.flatnonzero(active[inst.pair_app])
    p_app, p_rev = inst.pair_app[pairs], inst.pair_rev[pairs]
    p_match = inst.pair_match[pairs]

    # Nodes: leader slots [0, A), member slots [A, 2A), reviewers, the sink, then two
    # hubs per application: may-lead reviewers who know its industry, and those who
    # do not. Both slots feed the hubs, and a hub reaches each of its reviewers by one
    # unit arc, so nobody takes two places in a team (x + l ≤ 1) with one arc per pair.
    rev_node0, sink = 2 * n_apps, 2 * n_apps + n_revs
    hub_match, hub_other = sink + 1, sink + 1 + n_apps
    via_hub = (lead_supply[p_app] > 0) & inst.may_lead[p_rev]
    direct = ~via_hub & (member_supply[p_app] > 0)
    hub_of_pair = np.where(p_match, hub_match, hub_other) + p_app
    staffed = np.flatnonzero(lead_supply > 0)
    load_rev, load_cost = _load_arcs(inst, p_rev, weights)
    bypass = np.flatnonzero(optional)
    penalty = _penalties(inst, weights)[bypass] if len(bypass) else np.zeros(0, np.int64)
    match_cost = np.where(p_match, -weights.industry_match, 0)

    groups = [  # (tails, heads, capacities, costs); the first six carry the model's cost
        (hub_of_pair[via_hub], rev_node0 + p_rev[via_hub], 1, match_cost[via_hub]),
        (n_apps + p_app[direct], rev_node0 + p_rev[direct], 1, match_cost[direct]),
        (staffed, hub_match + staffed, 1, -weights.leader_industry_match),
        (staffed, hub_other + staffed, 1, 0),
        (np.concatenate([n_apps + staffed, n_apps + staffed]),
         np.concatenate([hub_match + staffed, hub_other + staffed]),
         np.concatenate([member_supply[staffed], member_supply[staffed]]), 0),
        (rev_node0 + load_rev, sink, 1, load_cost),
        (bypass, sink, lead_supply[bypass], penalty),
        (n_apps + bypass, sink, member_supply[bypass], penalty),
    ]
    n_nodes = sink + 1 + 2 * n_apps
    flows, cost, bounds = _run_flow(groups, lead_supply, member_supply, n_nodes, sink,
                                    plain=not len(bypass))

    hub_used = pairs[via_hub][flows[bounds[0] : bounds[1]] > 0]
    direct_used = pairs[direct][flows[bounds[1] : bounds[2]] > 0]
    lead_by_match = np.zeros(n_apps, np.int64)
    lead_by_match[staffed] = flows[bounds[2] : bounds[3]]
    lead_by_other = np.zeros(n_apps, np.int64)
    lead_by_other[staffed] = flows[bounds[3] : bounds[4]]
    leaders = _leaders(inst, hub_used, lead_by_match, lead_by_other)
    members = np.sort(np.concatenate([np.setdiff1d(hub_used, leaders), direct_used]))
    got_lead = lead_by_match + lead_by_other
    got_members = np.bincount(inst.pair_app[members], minlength=n_apps)
    return _FlowOutcome(
        leader_pairs=leaders,
        member_pairs=members,
        leader_short=got_lead < lead_supply,
        member_short=got_members < member_supply,
        cost=int(np.dot(flows[: bounds[6]], cost[: bounds[6]])),  # without bypass penalties
    )


def _leaders(inst: _Instance, hub_used: IntArray, by_match: IntArray,
             by_other: IntArray) -> IntArray:
    """Which reviewer leads: any one that came through the hub the leader slot used
    (they all cost the same there); the first such pair, for determinism."""
    app = inst.pair_app[hub_used]
    match = inst.pair_match[hub_used]
    wanted = np.where(match, by_match[app], by_other[app]) > 0
    candidates = hub_used[wanted]  # sorted by (application, reviewer)
    first = np.unique(inst.pair_app[candidates], return_index=True)[1]
    return candidates[first]


def _run_flow(
    groups: list[tuple[object, object, object, object]],
    lead_supply: IntArray,
    member_supply: IntArray,
    n_nodes: int,
    sink: int,
    plain: bool,
) -> tuple[IntArray, IntArray, IntArray]:
    """Solve; return flow and cost per arc (in group order) and the groups' start offsets.

    ``plain``: try the plain min-cost flow first (every supply must reach the sink),
    which skips the max-flow phase; only an infeasible instance pays for
    ``solve_max_flow_with_min_cost``, whose maximum flow shows what cannot be covered.
    """
    tails = [np.asarray(g[0], np.int64) for g in groups]
    head, capacity, cost = (
        np.concatenate(
            [
                np.broadcast_to(np.asarray(g[i], np.int64), t.shape)
                for g, t in zip(groups, tails, strict=True)
            ]
        )
        for i in (1, 2, 3)
    )
    tail = np.concatenate(tails)
    del tails
    bounds = np.concatenate([[0], np.cumsum([len(np.asarray(g[0])) for g in groups])])
    if len(tail) == 0:
        return np.zeros(0, np.int64), cost, bounds
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tail, head, capacity, cost)
    del tail, head, capacity
    n_apps = len(lead_supply)
    supplies = np.zeros(n_nodes, np.int64)
    supplies[:n_apps], supplies[n_apps : 2 * n_apps] = lead_supply, member_supply
    supplies[sink] = -int(lead_supply.sum() + member_supply.sum())
    smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int64), supplies)
    status = smcf.solve() if plain else smcf.INFEASIBLE
    if status != smcf.OPTIMAL:
        status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow solver failed (status {status})")
    return np.asarray(smcf.flows(arcs), np.int64), cost, bounds


# At most this many solves are spent on an infeasible instance before the
# applications still in doubt are reported as uncovered.
MAX_SOLVES = 12


def _filled(inst: _Instance, outcome: _FlowOutcome) -> IntArray:
    """New reviewers placed per application in a solve."""
    used = np.concatenate([outcome.leader_pairs, outcome.member_pairs])
    return np.bincount(inst.pair_app[used], minlength=len(inst.needs))


def _drop(inst: _Instance, which: BoolArray, outcome: _FlowOutcome, into: dict[int, str]) -> None:
    for a in np.flatnonzero(which):
        only_leader = bool(outcome.leader_short[a] and not outcome.member_short[a])
        into[int(a)] = _competition_reason(inst, int(a), only_leader)


def _cover_all_or_nothing(
    inst: _Instance, candidates: BoolArray, weights: AssignmentWeights
) -> tuple[_FlowOutcome, dict[int, str]]:
    """Accept applications in rounds; only fully covered ones are ever accepted.

    Each round solves the accepted applications (mandatory) together with the
    ones still in doubt (optional: bypass arcs). Optional ones that come out
    fully covered are jointly feasible with the accepted ones: accept them.
    The optional slots filled in a round are the most extra flow the network
    can take, so an application needing more new reviewers than what is left
    of that cannot be added even alone: give it up. A round without progress
    tries the first application in doubt alone. A feasible instance takes a
    single solve; an infeasible one a few (at most ``MAX_SOLVES`` rounds).
    """
    # Plain solve first: small costs keep cost scaling fast in the usual, feasible case.
    outcome = _solve_flow(inst, candidates, weights)
    if not (outcome.leader_short | outcome.member_short).any():
        return outcome, {}
    accepted = np.zeros(len(inst.needs), dtype=bool)
    doubt = candidates.copy()
    dropped: dict[int, str] = {}
    final = False
    for _ in range(MAX_SOLVES):
        if not doubt.any():
            break
        outcome = _solve_flow(inst, accepted | doubt, weights, optional=doubt)
        short = outcome.leader_short | outcome.member_short
        full = doubt & ~short
        final = not short.any()
        spare = int(_filled(inst, outcome)[doubt & short].sum())
        hopeless = doubt & short & (inst.new_needed > spare)
        _drop(inst, hopeless, outcome, dropped)
        accepted |= full
        doubt &= ~(full | hopeless)
        if full.any() or not doubt.any():
            continue
        first = np.zeros_like(doubt)
        first[np.flatnonzero(doubt)[0]] = True  # highest priority: earliest in input
        outcome = _solve_flow(inst, accepted | first, weights, optional=first)
        final = not (outcome.leader_short | outcome.member_short).any()
        if final:
            accepted |= first
        else:
            _drop(inst, first, outcome, dropped)
        doubt &= ~first
    _drop(inst, doubt, outcome, dropped)  # solve budget spent
    if not final:  # the last solve carried partial teams of optional applications
        outcome = _solve_flow(inst, accepted, weights)
    return outcome, dropped


def assign_reviewers(
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: Collection[tuple[int, int]] = frozenset(),
    weights: AssignmentWeights | None = None,
) -> AssignmentResult:
    """Optimal teams for ``needs`` (see the module docstring for the model).

    ``excluded`` holds ``(reviewer_id, application_id)`` pairs that are
    conflicted or declined. Applications that cannot get a complete team are
    listed in ``uncovered`` with a reason and receive no new assignments; all
    others get exactly their missing reviewers. When capacity is short,
    applications earlier in ``needs`` are served first.

    ``objective`` is :func:`assignment_cost` of the returned assignments: the
    optimum of the model over the covered applications.
    """
    weights = weights or AssignmentWeights()
    inst = _build_instance(reviewers, needs, excluded)
    static = _static_reasons(inst)
    active = np.ones(len(needs), dtype=bool)
    active[list(static)] = False
    outcome, dropped = _cover_all_or_nothing(inst, active, weights)

    assignments = [
        Assignment(
            needs[int(inst.pair_app[p])].application_id,
            reviewers[int(inst.pair_rev[p])].reviewer_id,
            is_leader,
        )
        for pairs, is_leader in ((outcome.leader_pairs, True), (outcome.member_pairs, False))
        for p in pairs
    ]
    assignments.sort(key=lambda x: (x.application_id, not x.is_leader, x.reviewer_id))
    reasons = {**static, **dropped}
    uncovered = tuple(Uncovered(needs[a].application_id, reasons[a]) for a in sorted(reasons))
    return AssignmentResult(tuple(assignments), outcome.cost, uncovered)


def assignment_cost(
    assignments: Iterable[Assignment],
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    weights: AssignmentWeights | None = None,
) -> int:
    """The model's objective for any set of new assignments (for checks and benchmarks)."""
    weights = weights or AssignmentWeights()
    by_rev = {r.reviewer_id: r for r in reviewers}
    industry = {n.application_id: n.industry for n in needs}
    counts: dict[int, int] = {}
    total = 0
    for x in assignments:
        if industry[x.application_id] in by_rev[x.reviewer_id].industries:
            total -= weights.industry_match
            total -= weights.leader_industry_match if x.is_leader else 0
        counts[x.reviewer_id] = counts.get(x.reviewer_id, 0) + 1
    for rid, n in counts.items():
        load0 = by_rev[rid].current_load
        total += sum(weights.load * (load0 + j) for j in range(1, n + 1))
    return total
