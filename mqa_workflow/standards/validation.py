"""The rules a standard must satisfy beyond its shape.

Each check returns human sentences naming the code and what is wrong, so a
reviewer who edits a standard file sees exactly which line of the award's
rules broke. All problems are collected; none stops the others.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from mqa_workflow.standards.models import CLASS_IDS, Category, ScoringGuide, Standard

AWARD_TOTAL_POINTS = 500


def check_standard(standard: Standard) -> list[str]:
    return [
        *_check_class(standard),
        *_check_points(standard),
        *_check_codes(standard),
        *_check_guides(standard),
        *_check_item_guides(standard),
    ]


def _check_class(standard: Standard) -> Iterator[str]:
    if standard.class_id not in CLASS_IDS:
        yield f"class_id {standard.class_id!r} is not one of {', '.join(CLASS_IDS)}"
    if standard.total_points != AWARD_TOTAL_POINTS:
        yield (
            f"total_points is {standard.total_points}; every award class is worth "
            f"{AWARD_TOTAL_POINTS} points"
        )


def _sum_message(kind: str, code: str, points: int, children: list[tuple[str, int]]) -> str:
    parts = " + ".join(f"{child} ({child_points})" for child, child_points in children)
    total = sum(child_points for _, child_points in children)
    return f"{kind} {code}: has {points} points but its parts add up to {total}: {parts}"


def _check_points(standard: Standard) -> Iterator[str]:
    categories = [(c.code, c.points) for c in standard.categories]
    if sum(points for _, points in categories) != standard.total_points:
        yield _sum_message("standard", standard.class_id, standard.total_points, categories)
    for category in standard.categories:
        yield from _check_category_points(category)


def _check_category_points(category: Category) -> Iterator[str]:
    if bool(category.items) == bool(category.sub_categories):
        yield (
            f"category {category.code}: needs either scored items or sub-categories "
            "(exactly one of the two)"
        )
        return
    children = category.items or category.sub_categories
    parts = [(child.code, child.points) for child in children]
    if sum(points for _, points in parts) != category.points:
        yield _sum_message("category", category.code, category.points, parts)
    for sub in category.sub_categories:
        items = [(item.code, item.points) for item in sub.items]
        if sum(points for _, points in items) != sub.points:
            yield _sum_message("sub-category", sub.code, sub.points, items)


def _all_codes(standard: Standard) -> Iterator[tuple[str, str]]:
    """Every (code, parent code) pair of the tree, the profile included."""
    yield standard.profile.code, ""
    for category in standard.categories:
        yield category.code, ""
        for sub in category.sub_categories:
            yield sub.code, category.code
            for item in sub.items:
                yield item.code, sub.code
        for item in category.items:
            yield item.code, category.code
    for item in standard.scored_items():
        for point in item.guide_points:
            if point.code is not None:
                yield point.code, item.code


def _check_codes(standard: Standard) -> Iterator[str]:
    pairs = list(_all_codes(standard))
    counts = Counter(code for code, _ in pairs)
    for code, count in counts.items():
        if count > 1:
            yield f"code {code}: used {count} times; codes must be unique"
    for code, parent in pairs:
        if parent and not code.startswith(parent + "."):
            yield f"code {code}: does not sit under its parent {parent} (expected {parent}.…)"


def _check_guides(standard: Standard) -> Iterator[str]:
    ids = Counter(guide.id for guide in standard.scoring_guides)
    for guide_id, count in ids.items():
        if count > 1:
            yield f"scoring guide {guide_id}: defined {count} times"
    for guide in standard.scoring_guides:
        yield from _check_guide(guide)


def _check_guide(guide: ScoringGuide) -> Iterator[str]:
    where = f"scoring guide {guide.id}"
    factor_codes = {factor.code for factor in guide.factors}
    for band in guide.bands:
        if band.low > band.high:
            yield f"{where}: band {band.label} runs backwards"
        for value in band.values or []:
            if not band.low <= value <= band.high or value % guide.step:
                yield (
                    f"{where}: band {band.label} lists {value}, outside the band or off "
                    f"the guide's step of {guide.step}"
                )
        for descriptor in band.descriptors:
            if descriptor.factor is not None and descriptor.factor not in factor_codes:
                yield f"{where}: band {band.label} names unknown factor {descriptor.factor}"
    # Every allowed percentage must fall in exactly one band, or a score would
    # have no band (or two) in a reviewer's feedback.
    for percentage in range(0, 101, guide.step):
        homes = [band.label for band in guide.bands if band.contains(percentage)]
        if len(homes) != 1:
            found = ", ".join(homes) or "none"
            yield f"{where}: {percentage}% must fall in exactly one band, found {found}"


def _check_item_guides(standard: Standard) -> Iterator[str]:
    guides = {guide.id: guide for guide in standard.scoring_guides}
    for item in standard.scored_items():
        guide = guides.get(item.scoring_guide)
        if guide is None:
            yield (
                f"item {item.code}: names scoring guide {item.scoring_guide!r}, which the "
                f"standard does not define (it has: {', '.join(guides) or 'none'})"
            )
        elif guide.kind != item.kind:
            yield (
                f"item {item.code}: is a {item.kind} item but its scoring guide "
                f"{guide.id} is for {guide.kind} items"
            )
