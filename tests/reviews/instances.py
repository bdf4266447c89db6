"""A reviewer-assignment instance of a big cycle's shape, for the solver's scale test
and ``bench/assignment.py`` alike (so the bench measures what the test checks)."""

from __future__ import annotations

import random

from mqa_workflow.reviews.assignment import ApplicationNeed, ReviewerSlot

CLASSES = ("economic", "cultural", "social", "ecological", "management", "service")
INDUSTRIES = tuple(f"行业{n}" for n in range(10))


def cycle_sized_instance(n_apps: int, n_revs: int, k: int, seed: int = 7, *,
                         conflicted_one_in: int = 100) -> tuple[
        list[ReviewerSlot], list[ApplicationNeed], set[tuple[int, int]]]:
    """A big cycle's shape: six classes, reviewers qualified for two and knowing three
    industries, a third may lead, one pair in ``conflicted_one_in`` conflicted (drawn
    with repeats), 1.5× the capacity needed."""
    rng = random.Random(seed)
    capacity = max(k, round(1.5 * n_apps * k / n_revs))
    reviewers = [ReviewerSlot(r, frozenset({CLASSES[r % 6], CLASSES[(r + 1 + r // 6) % 6]}),
                              frozenset(rng.sample(INDUSTRIES, 3)), capacity,
                              current_load=rng.randrange(2), may_lead=r % 3 == 0)
                 for r in range(n_revs)]
    needs = [ApplicationNeed(a, CLASSES[a % 6], rng.choice(INDUSTRIES), k)
             for a in range(n_apps)]
    excluded = {(rng.randrange(n_revs), rng.randrange(n_apps))
                for _ in range(n_apps * n_revs // conflicted_one_in)}
    return reviewers, needs, excluded
