"""The shape of an award standard (评定标准), as stored in ``standards/CLASS.yaml``.

The files are generated from the seed by ``tools/extract_standards.py`` and then
committed and reviewed: they are the single source of truth for every part of
the engine that needs an item, its points or its scoring guide.

How the seed's columns map onto fields:

* economic (经济类): 6 categories, each with two process items and one results
  item. ``basic_requirement`` is the 评审细则 table's statement for the item;
  ``overall_requirements`` are the 标准内容 lines for the item (its lead
  sentence and the numbered points (1)…(4), or the results summary);
  ``guide_points`` are the named observation points (文化建立 …).
* the five other classes: 3 categories → sub-categories → scored items x.y.z.
  A sub-category's ``basic_requirement`` is its 基本要求和总体要求 cell; an
  item's ``overall_requirements`` is its 标准内容 paragraph; ``guide_points``
  are 1.1.1.1 … (some results items have one unnumbered paragraph instead).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ItemKind = Literal["process", "results"]
CLASS_IDS: tuple[str, ...] = (
    "economic",
    "cultural",
    "social",
    "ecological",
    "management",
    "service",
)


class _Strict(BaseModel):
    # A typo'd key in a reviewed file must fail loudly, not be dropped.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Factor(_Strict):
    """One evaluation factor of a scoring guide (economic: A-D-L-I, Le-T-C-I)."""

    code: str
    name: str
    english: str


class Descriptor(_Strict):
    """One descriptor line of a band; ``factor`` tags it where the seed has factors."""

    text: str
    factor: str | None = None


class Band(_Strict):
    """A band of a scoring guide: a percentage range and what earns it.

    ``values`` lists the allowed percentages when the seed enumerates them
    (economic: 0 or 5; 10, 15, 20 or 25; …). When it only gives a range
    (others: 0～20 …), the allowed values are the guide's step multiples in
    the range; a boundary shared by two bands (20, 40, …) belongs to the
    higher band and 100 to the top band.
    """

    low: int = Field(ge=0, le=100)
    high: int = Field(ge=0, le=100)
    values: list[int] | None = None
    level: str | None = None
    descriptors: list[Descriptor] = Field(min_length=1)

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}%"

    def contains(self, percentage: int) -> bool:
        """Whether ``percentage`` falls in this band (see the boundary rule above)."""
        if self.values is not None:
            return percentage in self.values
        return self.low <= percentage < self.high or percentage == self.high == 100


class ScoringGuide(_Strict):
    """附录一 评分指引: the process or results scoring guide of a standard."""

    id: str
    name: str
    kind: ItemKind
    step: int = Field(gt=0, le=100, description="Smallest allowed percentage step.")
    factors: list[Factor] = Field(default_factory=list)
    bands: list[Band] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)

    def band_for(self, percentage: int) -> Band | None:
        return next((band for band in self.bands if band.contains(percentage)), None)


class GuidePoint(_Strict):
    """要点指引: one detailed observation point of an item."""

    code: str | None = None  # 1.1.1.1 … (non-economic); None where the seed numbers none
    name: str | None = None  # 文化建立 … (economic) or a results point's title
    text: str


class Item(_Strict):
    """条款: a scored unit."""

    code: str
    name: str
    points: int = Field(gt=0)
    kind: ItemKind
    scoring_guide: str
    basic_requirement: str | None = None
    overall_requirements: list[str] = Field(default_factory=list)
    guide_points: list[GuidePoint] = Field(min_length=1)


class SubCategory(_Strict):
    """评价类目 second level (non-economic classes only)."""

    code: str
    name: str
    points: int = Field(gt=0)
    basic_requirement: str | None = None
    items: list[Item] = Field(min_length=1)


class Category(_Strict):
    """类目: the top level of a standard (1.领导 80分 …)."""

    code: str
    name: str
    review_name: str | None = None  # the 评审细则 table's name where it differs
    points: int = Field(gt=0)
    description: str | None = None  # 说明
    sub_categories: list[SubCategory] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)

    def scored_items(self) -> Iterator[Item]:
        yield from self.items
        for sub in self.sub_categories:
            yield from sub.items


class Profile(_Strict):
    """组织简介 / 简介: the unscored organizational profile the applicant writes first."""

    code: str = "0"
    name: str
    description: str
    points_to_cover: list[str] = Field(min_length=1)


class CoreValue(_Strict):
    number: int
    name: str
    text: str


class KeyTerm(_Strict):
    term: str
    english: str | None = None
    definition: str


class Source(_Strict):
    file: str
    first_line: int
    last_line: int


class Standard(_Strict):
    """One award class's scoring standard (评定标准), worth ``total_points``."""

    class_id: str
    title: str  # 深圳市市长质量奖评定标准
    award_class: str  # 经济类, 文化类组织/项目奖, …
    total_points: int
    source: Source
    preface: str
    core_values: list[CoreValue] = Field(min_length=1)
    profile: Profile
    categories: list[Category] = Field(min_length=1)
    scoring_principles: str
    scoring_guides: list[ScoringGuide] = Field(min_length=1)
    key_terms: list[KeyTerm] = Field(min_length=1)
    references: list[str] = Field(default_factory=list)

    def scored_items(self) -> Iterator[Item]:
        for category in self.categories:
            yield from category.scored_items()

    def item(self, code: str) -> Item:
        for item in self.scored_items():
            if item.code == code:
                return item
        raise KeyError(code)

    def guide(self, guide_id: str) -> ScoringGuide:
        for guide in self.scoring_guides:
            if guide.id == guide_id:
                return guide
        raise KeyError(guide_id)

    @property
    def has_sub_categories(self) -> bool:
        return any(category.sub_categories for category in self.categories)
