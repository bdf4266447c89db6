"""Competitive selection (差额选拔) of one award class: ranking under balance caps.

Candidates are ranked by score; ties go to the higher ``tie_break`` key (the
cycle chooses it, e.g. the results-items subtotal), then to the lower
application id, so the order is total and reproducible. The cycle's balance
rule caps how many places one group may take: at most N per industry for the
economic class, the same cap over another attribute (district, project type …)
for the others — the attribute is a parameter, per-group caps may differ.

Selection is greedy: walk the ranking and take each candidate whose group
still has room, until the places are filled. Greedy is optimal here because
the feasible selections form a matroid: "at most c_g from each group g" is a
partition matroid, and "at most ``places`` in all" truncates it, which is again
a matroid. On a matroid the greedy choice is a maximum-score selection, and
more strongly (Gale, 1968) its i-th best member is at least as good as the
i-th best member of any other feasible selection — so it is also the
lexicographically best ranking-respecting list, and no swap can raise the
total. It also fills as many places as the caps allow. (Minimum quotas, such
as "at least one per district", would break this and need a flow model.)

Every candidate gets a sentence saying why it is in or out; a candidate
selected while a higher-ranked one was skipped for balance is flagged, and
each skipped candidate names the lower-ranked one that takes its place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mqa_workflow.errors import RefusedInputError


class SelectionError(RefusedInputError):
    """Selection inputs that cannot be used, with every problem found."""

    what = "selection"


@dataclass(frozen=True)
class Candidate:
    application_id: int
    score: Decimal  # consolidated total out of 500
    attributes: Mapping[str, str]  # e.g. {"industry": "电子信息", "district": "南山区"}
    tie_break: Decimal = Decimal(0)  # second key, higher wins (e.g. results subtotal)
    name: str = ""  # shown in reasons when given


@dataclass(frozen=True)
class BalanceRule:
    """At most ``max_per_group`` places per value of ``attribute``.

    ``group_caps`` overrides the cap for named groups (a cap of 0 excludes the
    group). ``max_per_group=None`` with no overrides means no balance rule.
    """

    attribute: str = "industry"
    max_per_group: int | None = None
    group_caps: Mapping[str, int] = field(default_factory=dict)

    def cap(self, group: str) -> int | None:
        return self.group_caps.get(group, self.max_per_group)


@dataclass(frozen=True)
class SelectionEntry:
    application_id: int
    rank: int  # 1-based position in the ranking
    score: Decimal
    group: str
    selected: bool
    reason: str
    skipped_for_balance: bool = False
    replaced_by: int | None = None  # who takes the place this candidate lost to balance
    replaces: int | None = None  # whose place this candidate takes (it would be out otherwise)
    selected_over: tuple[int, ...] = ()  # higher-ranked candidates left out while this one is in
    lower_score_selected: bool = False  # in, while a strictly higher score is out

    @property
    def selected_over_higher_rank(self) -> bool:
        return bool(self.selected_over)


@dataclass(frozen=True)
class SelectionResult:
    places: int
    rule: BalanceRule
    entries: tuple[SelectionEntry, ...]  # in rank order

    @property
    def selected(self) -> tuple[int, ...]:
        return tuple(e.application_id for e in self.entries if e.selected)

    @property
    def unfilled_places(self) -> int:
        return self.places - len(self.selected)

    @property
    def balance_skips(self) -> tuple[SelectionEntry, ...]:
        return tuple(e for e in self.entries if e.skipped_for_balance)

    def entry(self, application_id: int) -> SelectionEntry:
        return next(e for e in self.entries if e.application_id == application_id)


def rank(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Higher score first, then higher tie-break key, then lower application id."""
    return sorted(candidates, key=lambda c: (-c.score, -c.tie_break, c.application_id))


def select(candidates: Sequence[Candidate], places: int, rule: BalanceRule) -> SelectionResult:
    """Select up to ``places`` candidates greedily under the balance rule (see module doc)."""
    _validate(candidates, places, rule)
    ranked = rank(candidates)
    walk = _walk(ranked, places, rule)
    counts: Counter[str] = Counter()
    entries = []
    for position, candidate in enumerate(ranked, start=1):
        group = _group(candidate, rule)
        if position in walk.selected:
            counts[group] += 1
        entries.append(_entry(position, ranked, places, rule, walk, counts[group]))
    return SelectionResult(places, rule, tuple(entries))


@dataclass(frozen=True)
class _Walk:
    selected: frozenset[int]  # rank positions
    skipped: frozenset[int]  # positions passed over because their group was full
    replaced_by: Mapping[int, int]  # displaced position -> position that took its place


def _walk(ranked: Sequence[Candidate], places: int, rule: BalanceRule) -> _Walk:
    taken: Counter[str] = Counter()
    selected: list[int] = []
    skipped: list[int] = []
    for position, candidate in enumerate(ranked, start=1):
        if len(selected) >= places:
            break
        group = _group(candidate, rule)
        cap = rule.cap(group)
        if cap is not None and taken[group] >= cap:
            skipped.append(position)
            continue
        taken[group] += 1
        selected.append(position)
    # Who took whose place: compare with the selection without a balance rule (the
    # top ``places``). Those pushed out pair, in rank order, with the newcomers;
    # a displaced candidate left without a newcomer is an unfilled place.
    top = set(range(1, min(places, len(ranked)) + 1))
    displaced = sorted(top - set(selected))
    newcomers = sorted(set(selected) - top)
    pairs = dict(zip(displaced, newcomers, strict=False))  # more displaced: places unfilled
    return _Walk(frozenset(selected), frozenset(skipped), pairs)


def _group(candidate: Candidate, rule: BalanceRule) -> str:
    return candidate.attributes.get(rule.attribute, "")


def _validate(candidates: Sequence[Candidate], places: int, rule: BalanceRule) -> None:
    problems = []
    if places < 0:
        problems.append(f"places must be 0 or more, got {places}")
    if rule.max_per_group is not None and rule.max_per_group < 1:
        problems.append(
            f"the cap per {rule.attribute} must be at least 1, got {rule.max_per_group}"
        )
    problems += [
        f"the cap for {rule.attribute} {group} must be 0 or more, got {cap}"
        for group, cap in rule.group_caps.items()
        if cap < 0
    ]
    ids = Counter(c.application_id for c in candidates)
    problems += [f"application {i} is listed {n} times" for i, n in sorted(ids.items()) if n > 1]
    if rule.max_per_group is not None or rule.group_caps:
        problems += [
            f"application {c.application_id} has no {rule.attribute}; the balance rule needs it"
            for c in candidates
            if not c.attributes.get(rule.attribute)
        ]
    if problems:
        raise SelectionError(problems)


def _entry(
    position: int,
    ranked: Sequence[Candidate],
    places: int,
    rule: BalanceRule,
    walk: _Walk,
    count: int,
) -> SelectionEntry:
    candidate = ranked[position - 1]
    group = _group(candidate, rule)
    common = {"application_id": candidate.application_id, "rank": position,
              "score": candidate.score, "group": group}
    tie = _tie_note(position, ranked)
    if position in walk.selected:
        return _selected_entry(position, ranked, places, rule, walk, count, common, tie)
    if position in walk.skipped:
        return _skipped_entry(position, ranked, places, rule, walk, common, tie)
    label = _label(position, candidate)
    reason = f"{label}, not selected: all {places} places went to higher-ranked applications"
    if not places:
        reason = f"{label}, not selected: the class has no places"
    return SelectionEntry(**common, selected=False, reason=reason + tie)


def _selected_entry(
    position: int, ranked: Sequence[Candidate], places: int, rule: BalanceRule, walk: _Walk,
    count: int, common: dict[str, Any], tie: str,
) -> SelectionEntry:
    candidate = ranked[position - 1]
    group = common["group"]
    cap = rule.cap(group)
    place = sorted(walk.selected).index(position) + 1
    reason = f"{_label(position, candidate)}, selected: place {place} of {places}"
    if cap is not None:
        reason += f"; {group} {count} of at most {cap}"
    replaces = next((d for d, n in walk.replaced_by.items() if n == position), None)
    if replaces is not None:
        reason += (
            f"; takes the place of {_label(replaces, ranked[replaces - 1])}, "
            "skipped to keep balance"
        )
    over = [s for s in sorted(walk.skipped) if s < position]
    return SelectionEntry(
        **common, selected=True, reason=reason + tie,
        replaces=None if replaces is None else ranked[replaces - 1].application_id,
        selected_over=tuple(ranked[s - 1].application_id for s in over),
        lower_score_selected=any(ranked[s - 1].score > candidate.score for s in over),
    )


def _skipped_entry(
    position: int, ranked: Sequence[Candidate], places: int, rule: BalanceRule, walk: _Walk,
    common: dict[str, Any], tie: str,
) -> SelectionEntry:
    group = common["group"]
    cap = rule.cap(group)
    full = (
        f"the cycle allows no places to {group}" if cap == 0
        else f"{group} already has {cap} of at most {cap} places"
    )
    reason = f"{_label(position, ranked[position - 1])}, not selected: {full} — "
    taker = walk.replaced_by.get(position)
    if taker is not None:
        reason += (
            f"skipped to keep balance; {_label(taker, ranked[taker - 1])} takes the place"
        )
    elif position <= places:
        reason += "skipped to keep balance; no lower-ranked application could take the place"
    else:
        reason += f"skipped to keep balance (it ranks below the {places} places in any case)"
    return SelectionEntry(
        **common, selected=False, reason=reason + tie, skipped_for_balance=True,
        replaced_by=None if taker is None else ranked[taker - 1].application_id,
    )


def _label(position: int, candidate: Candidate) -> str:
    who = f" {candidate.name}" if candidate.name else ""
    return f"rank {position} (application {candidate.application_id}{who}, {candidate.score})"


def _tie_note(position: int, ranked: Sequence[Candidate]) -> str:
    """Say how a score tie with a neighbour was broken, so nobody has to guess."""
    me = ranked[position - 1]
    notes = []
    for other_position in (position - 1, position + 1):
        if not 1 <= other_position <= len(ranked):
            continue
        other = ranked[other_position - 1]
        if other.score != me.score:
            continue
        first, second = (me, other) if position < other_position else (other, me)
        why = (
            f"tie-break key {first.tie_break} > {second.tie_break}"
            if first.tie_break != second.tie_break
            else f"equal tie-break keys, lower application id {first.application_id}"
        )
        notes.append(f"tied on score with rank {other_position}, ordered by {why}")
    return "".join(f" ({note})" for note in notes)
