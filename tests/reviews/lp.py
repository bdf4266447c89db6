"""The LP relaxation of the reviewer-assignment model: a check on the flow solver.

Only the tests and ``bench/assignment.py`` use it (SciPy's HiGHS), so it lives here and
not in the package: the solver itself (``mqa_workflow.reviews.assignment``) needs OR-Tools
only. It reads the solver's private instance builders on purpose: the LP must be built
from exactly the instance the flow solves.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from mqa_workflow.reviews.assignment import (
    ApplicationNeed,
    AssignmentWeights,
    ReviewerSlot,
    _build_instance,
    _Instance,
    _load_arcs,
    _pair_costs,
)


def lp_relaxation_objective(
    reviewers: Sequence[ReviewerSlot],
    needs: Sequence[ApplicationNeed],
    excluded: Collection[tuple[int, int]] = frozenset(),
    weights: AssignmentWeights | None = None,
) -> float | None:
    """LP optimum of the same model with 0 ≤ x, l, y ≤ 1 instead of binaries.

    For benchmarks that report the integrality gap; meant for small and medium
    instances (the matrices are sparse but HiGHS is slower than the flow
    solver). All of ``needs`` must be covered: returns ``None`` when the LP is
    infeasible. The constraint matrix is a network matrix, so when feasible the
    LP optimum equals the min-cost flow's cost.
    """
    weights = weights or AssignmentWeights()
    inst = _build_instance(reviewers, needs, excluded)
    problem = _lp_problem(inst, weights)
    result = linprog(**problem, bounds=(0, 1), method="highs")
    return float(result.fun) if result.status == 0 else None


def _lp_problem(inst: _Instance, weights: AssignmentWeights) -> dict[str, object]:
    """Sparse LP: columns are member vars, leader vars, then unit load vars y[r, j]."""
    n_apps, n_revs, n_pairs = len(inst.needs), len(inst.reviewers), len(inst.pair_app)
    lead_supply = np.minimum(inst.leader_needed, inst.new_needed)
    member_supply = inst.new_needed - lead_supply
    member_cost, leader_cost = _pair_costs(inst, weights)
    mem = np.flatnonzero(member_supply[inst.pair_app] > 0)
    led = np.flatnonzero((lead_supply[inst.pair_app] > 0) & inst.may_lead[inst.pair_rev])
    load_rev, load_cost = _load_arcs(inst, inst.pair_rev, weights)
    n_mem, n_led = len(mem), len(led)
    col_mem = np.arange(n_mem)
    col_led = n_mem + np.arange(n_led)
    col_load = n_mem + n_led + np.arange(len(load_rev))
    n_cols = n_mem + n_led + len(load_rev)

    # Equality rows: leader count per app [0, A), member count per app [A, 2A),
    # flow balance per reviewer [2A, 2A+R): Σ x + Σ l − Σ y = 0.
    rows = np.concatenate(
        [
            inst.pair_app[led],
            n_apps + inst.pair_app[mem],
            2 * n_apps + inst.pair_rev[mem],
            2 * n_apps + inst.pair_rev[led],
            2 * n_apps + load_rev,
        ]
    )
    cols = np.concatenate([col_led, col_mem, col_mem, col_led, col_load])
    vals = np.concatenate([np.ones(n_led + 2 * n_mem + n_led), -np.ones(len(load_rev))])
    a_eq = coo_matrix((vals, (rows, cols)), shape=(2 * n_apps + n_revs, n_cols)).tocsr()
    b_eq = np.concatenate([lead_supply, member_supply, np.zeros(n_revs)])

    # Inequality rows, one per pair: x + l ≤ 1 (nobody both leads and joins a team).
    ub_rows = np.concatenate([mem, led])
    a_ub = coo_matrix(
        (np.ones(n_mem + n_led), (ub_rows, np.concatenate([col_mem, col_led]))),
        shape=(n_pairs, n_cols),
    ).tocsr()
    cost = np.concatenate([member_cost[mem], leader_cost[led], load_cost]).astype(float)
    return {"c": cost, "A_ub": a_ub, "b_ub": np.ones(n_pairs), "A_eq": a_eq, "b_eq": b_eq}
