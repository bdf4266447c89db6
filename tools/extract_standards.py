#!/usr/bin/env python3
"""Extract the six award standards from the seed text into ``standards/CLASS.yaml``.

Usage::

    python tools/extract_standards.py --seed SEED [--out DIR] [--check]

Without ``--check`` the six files are written and then loaded back through the
package's loader, which fails loudly on any file that breaks the schema or a
rule of the award. With ``--check`` the files are regenerated in memory and the
command exits 1 listing the committed files that differ (CI uses this to prove
the committed files are exactly what the seed says).

Reading rules, applied the same way everywhere so the output stays reviewable:

* every non-empty line of the seed is one paragraph (the seed never wraps a
  paragraph over two lines); a field made of several paragraphs joins them
  with a newline, and each paragraph is stripped of surrounding whitespace;
* the 评审细则 tables and scoring guides are tab-separated cells whose content
  spans lines, so they are read as a stream of cells (every tab-separated
  piece of every line, stripped, empty pieces dropped);
* names, codes and points come from the 标准内容 headings; the 评审细则 table
  adds basic requirements, guide points and which scoring guide applies, and
  is cross-checked against the headings (any disagreement in codes or points
  stops the run).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mqa_workflow.standards.loader import StandardFileError, load_standard_file
from mqa_workflow.standards.models import CLASS_IDS, Standard

TITLE = "深圳市市长质量奖评定标准"
# The award class line under each title, e.g. （文化类组织/项目奖）, starts with these.
CLASS_BY_AWARD = {
    "经济类": "economic",
    "文化类": "cultural",
    "社会类": "social",
    "生态类": "ecological",
    "管理类": "management",
    "服务类": "service",
}
# Top-level section headers of one standard; economic numbers them one higher
# because it has an extra 三、标准原则 section. "system" and "principles" only
# bound their neighbours: the schema has no field for them.
SECTIONS = {
    "preface": r"^一、前言",
    "system": r"^二、评价体系",
    "principles": r"^三、标准原则",
    "values": r"^[三四]、核心价值理念",
    "content": r"^[四五]、标准内容",
    "review": r"^[五六]、评审细则",
    "appendix1": r"^附录一",
    "appendix2": r"^附录二",
    "appendix3": r"^附录三",
}
# Same pattern as tests/standards/test_seed.py: 1.2规划定位(60分), 2．高质量运行（130分）.
HEADING = re.compile(r"^(\d+(?:\.\d+)*)[.．]?\s*([^（(\s]+)\s*[（(](\d+)分[）)]\s*$")
PROFILE_HEADING = re.compile(r"^0[.．]\s*(\S+)$")
# A 评审细则 header once its cells are joined: 1远见卓识的领导80分, 1.高标准定位(120分),
# 以人为本结果40分 (economic 4.3 has no code in the table).
TABLE_HEADER = re.compile(
    r"^(?P<code>\d+(?:\.\d+)*)?[.．]?\s*(?P<name>.*?)\s*[（(]?(?P<points>\d+)分[）)]?$"
)
GUIDE_CELL = re.compile(r"^适用(?:于)?(过程|结果)评分指南$")
KIND_BY_WORD = {"过程": "process", "结果": "results"}
ECONOMIC_POINT = re.compile(r"^(?P<name>[^：，。；、]{2,8})：(?P<text>.+)$")
SUB_CELL = re.compile(r"^(\d+\.\d+)\s*(\S+?)\s*[（(](\d+)分[）)]$")
ITEM_CELL = re.compile(r"^(\d+\.\d+\.\d+)\s*(\S+?)\s*[（(](\d+)分[）)]\s*[：:。]?$")
# 1.1.1.1 …; management writes one as 1.1.1．4.
POINT_CELL = re.compile(r"^(\d+\.\d+\.\d+[.．]\d+)\s*(.*)$")
# A results guide point whose first line is a title (3.1.1.1守法合规治理与团队建设结果)
# does not end a sentence; one whose first line is its text does.
SENTENCE_END = re.compile(r"[。；;，,：:！!？?]$")
ECONOMIC_BAND = re.compile(r"^[\d%，,或]+$")
RANGE_CELL = re.compile(r"^(\d+)～(\d+)$")
LEVEL_CELL = re.compile(r"^\S+水平$")
FACTOR_TAG = re.compile(r"\s*[（(](Le|T|C|I|A|D|L)[）)]$")
FACTORS = re.compile(r"使用四个因素：(?P<names>[^（]+)（(?P<english>[^）]+)）")
KEY_TERM = re.compile(r"^(?P<term>[^（(]+?)\s*[（(](?P<english>[A-Za-z][^）)]*)[）)]$")
CORE_VALUE = re.compile(r"^(\d+)[.．]\s*([^。]+)。(.*)$")
# Cells of the scoring guides' header rows (分  数 / 描述 / 水平 / 得分 / 区间%).
GUIDE_HEADER_CELLS = {"分数", "描述", "水平", "得分", "区间%"}


class SeedError(ValueError):
    """The seed does not have the shape this script knows; names the class and line."""


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the seed
    text: str  # the raw line, tabs included

    @property
    def clean(self) -> str:
        return self.text.strip()

    @property
    def cells(self) -> list[str]:
        return [cell.strip() for cell in self.text.split("\t") if cell.strip()]


def paragraphs(lines: Iterable[Line]) -> list[str]:
    return [line.clean for line in lines if line.clean]


def joined(lines: Iterable[Line]) -> str:
    return "\n".join(paragraphs(lines))


def cells(lines: Iterable[Line]) -> list[str]:
    return [cell for line in lines for cell in line.cells]


# --------------------------------------------------------------------------- classes


@dataclass(frozen=True)
class ClassText:
    class_id: str
    award_class: str
    lines: list[Line]

    @property
    def first_line(self) -> int:
        return self.lines[0].number

    @property
    def last_line(self) -> int:
        return self.lines[-1].number


def split_classes(lines: list[Line]) -> list[ClassText]:
    """Cut the seed at each title; the first class also owns the lines before its title."""
    starts = [i for i, line in enumerate(lines) if line.clean == TITLE]
    if len(starts) != len(CLASS_IDS):
        raise SeedError(f"expected {len(CLASS_IDS)} titles {TITLE!r}, found {len(starts)}")
    bounds = [0, *starts[1:], len(lines)]
    found = []
    for title_at, begin, end in zip(starts, bounds[:-1], bounds[1:], strict=True):
        chunk = lines[begin:end]
        while not chunk[-1].clean:  # trailing blank lines belong to no class
            chunk = chunk[:-1]
        award = next(line.clean for line in lines[title_at + 1 :] if line.clean)
        award_class = award.strip("（）() ")
        class_id = CLASS_BY_AWARD.get(award_class[:3])
        if class_id is None:
            raise SeedError(f"line {title_at + 2}: unknown award class {award!r}")
        found.append(ClassText(class_id, award_class, chunk))
    if [c.class_id for c in found] != list(CLASS_IDS):
        raise SeedError(f"classes out of the award's order: {[c.class_id for c in found]}")
    return found


def sections(text: ClassText) -> dict[str, list[Line]]:
    """Each top-level section's lines, header excluded, up to the next section."""
    heads: list[tuple[int, str]] = []
    for name, pattern in SECTIONS.items():
        at = next((i for i, line in enumerate(text.lines) if re.match(pattern, line.clean)), None)
        if at is not None:
            heads.append((at, name))
    heads.sort()
    ends = [at for at, _ in heads[1:]] + [len(text.lines)]
    return {name: text.lines[at + 1 : end] for (at, name), end in zip(heads, ends, strict=True)}


# --------------------------------------------------------------------------- 标准内容


@dataclass
class Heading:
    """A 标准内容 heading (category, sub-category or item) and the lines under it."""

    code: str
    name: str
    points: int
    line: int
    body: list[Line] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


@dataclass
class Content:
    profile: Heading
    headings: list[Heading]


def parse_content(lines: list[Line]) -> Content:
    profile: Heading | None = None
    headings: list[Heading] = []
    current: Heading | None = None
    for line in lines:
        profile_match = PROFILE_HEADING.match(line.clean)
        match = HEADING.match(line.clean)
        if profile_match:
            profile = current = Heading("0", profile_match[1], 0, line.number)
        elif match:
            current = Heading(match[1], match[2], int(match[3]), line.number)
            headings.append(current)
        elif current is not None and line.clean:
            # Lines before the profile introduce the model; no field holds them.
            current.body.append(line)
    if profile is None:
        raise SeedError("标准内容 has no 0.简介 / 0.组织简介 heading")
    return Content(profile, headings)


def labelled(body: list[Line], label: str) -> str | None:
    """The text after ``说明：`` (or another label) in a heading's body."""
    for line in body:
        if line.clean.startswith(label):
            return line.clean[len(label) :].strip()
    return None


def unlabelled(body: list[Line]) -> list[str]:
    """The body without its 说明：… line and the bare 要点： marker."""
    return [p for p in paragraphs(body) if not p.startswith("说明：") and p != "要点："]


def clauses(text: str) -> list[str]:
    """Split a paragraph at ；, keeping each clause's own punctuation."""
    return [part.strip() for part in re.findall(r"[^；]+；?", text) if part.strip()]


def build_profile(profile: Heading) -> dict[str, Any]:
    description = labelled(profile.body, "说明：")
    points = [part for p in unlabelled(profile.body) for part in clauses(p)]
    if description is None or not points:
        raise SeedError(f"line {profile.line}: profile without 说明 or 要点")
    return {
        "code": "0",
        "name": profile.name,
        "description": description,
        "points_to_cover": points,
    }


# --------------------------------------------------------------------------- 评审细则


@dataclass
class Row:
    """One category, sub-category or item of a 评审细则 table."""

    header: list[str] = field(default_factory=list)  # cells of its code/name/points
    basic: list[str] = field(default_factory=list)  # 基本要求 (and 总体要求) cells
    points: list[list[str]] = field(default_factory=list)  # guide points, as paragraphs
    guide: str | None = None  # process / results where the 方法 cell names it
    children: list[Row] = field(default_factory=list)

    def parsed_header(self) -> tuple[str | None, str, int]:
        # Item headers in the table end with ：(or once 。) before the guide points.
        text = "".join(self.header).rstrip("：:。")
        match = TABLE_HEADER.match(text)
        if match is None:
            raise SeedError(f"评审细则: cannot read the header {text!r}")
        return match["code"], match["name"], int(match["points"])


def is_next_category(cell: str, table: list[Row], economic: bool) -> bool:
    # Categories are numbered 1, 2, 3 … in order: requiring the next number keeps a
    # cell such as "3高绩效结果" from being mistaken for anything else, and vice versa.
    number = str(len(table) + 1)
    if economic:
        return cell == number
    return re.match(rf"^{number}(?:[.．](?!\d)|(?![.．\d]))", cell) is not None


def parse_economic_table(lines: list[Line]) -> list[Row]:
    """Economic 评审细则: category → items, each a header, a statement and named points."""
    table: list[Row] = []
    state = "before"
    for cell in cells(lines):
        if is_next_category(cell, table, economic=True):
            table.append(Row(header=[cell]))
            state = "category"
        elif state == "before":
            continue  # the table's column headings
        elif (guide := GUIDE_CELL.match(cell)) is not None:
            table[-1].children[-1].guide = KIND_BY_WORD[guide[1]]
        elif state in ("category", "item"):
            row = table[-1] if state == "category" else table[-1].children[-1]
            row.header.append(cell)
            if cell.endswith("分"):
                state = "basic" if state == "item" else "next"
        elif state == "basic":
            table[-1].children[-1].basic.append(cell)
            state = "points"
        elif state == "points" and ECONOMIC_POINT.match(cell):
            table[-1].children[-1].points.append([cell])
        else:  # a cell that is no guide point starts the next item's header
            table[-1].children.append(Row(header=[cell]))
            state = "basic" if cell.endswith("分") else "item"
    return table


def parse_grouped_table(lines: list[Line]) -> list[Row]:
    """Non-economic 评审细则: category → sub-category (基本要求) → items → 1.1.1.1 points."""
    table: list[Row] = []
    for cell in cells(lines):
        if is_next_category(cell, table, economic=False):
            table.append(Row(header=[cell]))
        elif not table:
            continue  # the table's column headings
        elif (guide := GUIDE_CELL.match(cell)) is not None:
            table[-1].children[-1].children[-1].guide = KIND_BY_WORD[guide[1]]
        elif SUB_CELL.match(cell):
            table[-1].children.append(Row(header=[cell]))
        elif ITEM_CELL.match(cell):
            table[-1].children[-1].children.append(Row(header=[cell]))
        elif not table[-1].children:
            table[-1].header.append(cell)
        elif not table[-1].children[-1].children:
            table[-1].children[-1].basic.append(cell)
        else:
            item = table[-1].children[-1].children[-1]
            if POINT_CELL.match(cell) or not item.points:
                item.points.append([cell])
            else:  # a further paragraph of the current guide point
                item.points[-1].append(cell)
    return table


def carry_guides(items: list[Row]) -> None:
    """The 方法 cell spans rows: an item without its own takes the one above it."""
    current: str | None = None
    for item in items:
        current = item.guide = item.guide or current
        if current is None:
            raise SeedError(f"评审细则: no scoring guide for {''.join(item.header)!r}")


def grouped_point(paragraph_list: list[str]) -> dict[str, Any]:
    """A 1.1.1.1 point; a results point may open with a title line, or be unnumbered."""
    first, rest = paragraph_list[0], paragraph_list[1:]
    match = POINT_CELL.match(first)
    if match is None:
        return {"text": "\n".join(paragraph_list)}
    code = match[1].replace("．", ".")
    if rest and not SENTENCE_END.search(match[2]):
        return {"code": code, "name": match[2], "text": "\n".join(rest)}
    return {"code": code, "text": "\n".join([match[2], *rest])}


def economic_point(paragraph_list: list[str]) -> dict[str, Any]:
    match = ECONOMIC_POINT.match(paragraph_list[0])
    assert match is not None  # parse_economic_table only keeps matching cells
    return {"name": match["name"], "text": match["text"]}


# --------------------------------------------------------------------------- the tree


def check_header(row: Row, heading: Heading) -> None:
    """The table must agree with the 标准内容 heading on code (where it has one) and points."""
    code, _, points = row.parsed_header()
    if (code is not None and code != heading.code) or points != heading.points:
        raise SeedError(
            f"line {heading.line}: 标准内容 says {heading.code} {heading.points}分 but the "
            f"评审细则 table says {''.join(row.header)!r}"
        )


def category_fields(heading: Heading, row: Row) -> dict[str, Any]:
    check_header(row, heading)
    _, review_name, _ = row.parsed_header()
    extra = unlabelled(heading.body)
    if extra:
        raise SeedError(f"line {heading.line}: unexpected text under a category: {extra[0]!r}")
    found: dict[str, Any] = {"code": heading.code, "name": heading.name}
    if review_name and review_name != heading.name:
        found["review_name"] = review_name
    found["points"] = heading.points
    found["description"] = labelled(heading.body, "说明：")
    return found


def children_of(heading: Heading, headings: list[Heading]) -> list[Heading]:
    return [h for h in headings if h.code.rsplit(".", 1)[0] == heading.code and h is not heading]


def build_economic(content: Content, table: list[Row]) -> list[dict[str, Any]]:
    categories = [h for h in content.headings if h.depth == 1]
    if len(categories) != len(table):
        raise SeedError(f"{len(categories)} categories in 标准内容, {len(table)} in 评审细则")
    built = []
    for heading, row in zip(categories, table, strict=True):
        items = children_of(heading, content.headings)
        if len(items) != len(row.children):
            raise SeedError(f"category {heading.code}: items differ between the two sections")
        carry_guides(row.children)
        category = category_fields(heading, row)
        pairs = zip(items, row.children, strict=True)
        category["items"] = [economic_item(item, item_row) for item, item_row in pairs]
        built.append(category)
    return built


def economic_item(heading: Heading, row: Row) -> dict[str, Any]:
    check_header(row, heading)
    return {
        "code": heading.code,
        "name": heading.name,
        "points": heading.points,
        "kind": row.guide,
        "scoring_guide": row.guide,
        "basic_requirement": "\n".join(row.basic),
        "overall_requirements": paragraphs(heading.body),
        "guide_points": [economic_point(point) for point in row.points],
    }


def by_code(rows: list[Row]) -> dict[str, Row]:
    found = {}
    for row in rows:
        code = row.parsed_header()[0]
        if code is None:
            raise SeedError(f"评审细则: header without a code: {''.join(row.header)!r}")
        found[code] = row
    return found


def build_grouped(content: Content, table: list[Row]) -> list[dict[str, Any]]:
    carry_guides([item for row in table for sub in row.children for item in sub.children])
    rows = by_code(table)
    built = []
    for heading in (h for h in content.headings if h.depth == 1):
        category = category_fields(heading, rows[heading.code])
        sub_rows = by_code(rows[heading.code].children)
        category["sub_categories"] = [
            grouped_sub(sub, sub_rows[sub.code], content.headings)
            for sub in children_of(heading, content.headings)
        ]
        built.append(category)
    return built


def grouped_sub(heading: Heading, row: Row, headings: list[Heading]) -> dict[str, Any]:
    check_header(row, heading)
    item_rows = by_code(row.children)
    items = children_of(heading, headings)
    if sorted(item_rows) != sorted(h.code for h in items):
        raise SeedError(f"sub-category {heading.code}: items differ between the two sections")
    return {
        "code": heading.code,
        "name": heading.name,
        "points": heading.points,
        "basic_requirement": "\n".join(row.basic),
        "items": [grouped_item(item, item_rows[item.code]) for item in items],
    }


def grouped_item(heading: Heading, row: Row) -> dict[str, Any]:
    check_header(row, heading)
    return {
        "code": heading.code,
        "name": heading.name,
        "points": heading.points,
        "kind": row.guide,
        "scoring_guide": row.guide,
        "overall_requirements": paragraphs(heading.body),
        "guide_points": [grouped_point(point) for point in row.points],
    }


# --------------------------------------------------------------------------- 附录一 评分指引


def between(lines: list[Line], start: str, stop: str | None) -> list[Line]:
    """Lines after the first one matching ``start`` up to one matching ``stop``.

    Guide titles are letter-spaced (过 程 评 分 指 南), so lines are compared without spaces.
    """
    squeezed = [re.sub(r"\s", "", line.text) for line in lines]
    begin = next(i for i, text in enumerate(squeezed) if re.match(start, text)) + 1
    end = next(
        (i for i in range(begin, len(lines)) if stop and re.match(stop, squeezed[i])), len(lines)
    )
    return lines[begin:end]


def factors(principles: str) -> list[list[dict[str, str]]]:
    """Economic: 方法、展开、学习和整合（Approach、…, A-D-L-I）, once per dimension."""
    found = []
    for match in FACTORS.finditer(principles):
        names = re.split(r"、|和", match["names"])
        english, codes = match["english"].rsplit(",", 1)
        englishes = [e.strip() for e in english.split("、")]
        codes_list = codes.strip().split("-")
        if not len(names) == len(englishes) == len(codes_list):
            raise SeedError(f"评分原则: cannot pair the factors of {match[0]!r}")
        found.append(
            [
                {"code": c, "name": n, "english": e}
                for c, n, e in zip(codes_list, names, englishes, strict=True)
            ]
        )
    return found


@dataclass
class BandText:
    label: list[str] = field(default_factory=list)  # the 分数 cells
    lines: list[str] = field(default_factory=list)  # the 描述 cells
    level: str | None = None


def economic_bands(lines: list[Line]) -> list[BandText]:
    """Economic guides: the percentages (0%或5% …) open a band, • lines describe it."""
    bands: list[BandText] = []
    label_open = False
    for cell in cells(lines):
        if re.sub(r"\s", "", cell) in GUIDE_HEADER_CELLS:
            continue
        if ECONOMIC_BAND.match(cell):
            if not label_open:
                bands.append(BandText())
            bands[-1].label.append(cell)
            label_open = True
        elif cell.startswith("•") and bands:
            bands[-1].lines.append(cell.lstrip("•").strip())
            label_open = False
        else:
            raise SeedError(f"评分指南: unexpected cell {cell!r}")
    return bands


def ranged_bands(lines: list[Line]) -> list[BandText]:
    """Other guides: description lines, then 一般水平 …, then the range 0～20 closing the band."""
    bands: list[BandText] = []
    current = BandText()
    for cell in cells(lines):
        if re.sub(r"\s", "", cell) in GUIDE_HEADER_CELLS:
            continue
        if RANGE_CELL.match(cell):
            current.label.append(cell)
            bands.append(current)
            current = BandText()
        elif LEVEL_CELL.match(cell):
            current.level = cell
        else:
            current.lines.append(cell)
    if current.lines:
        raise SeedError(f"评分指南: description without a range: {current.lines[0]!r}")
    return bands


def band_fields(text: BandText, factor_codes: list[str]) -> dict[str, Any]:
    label = "".join(text.label)
    numbers = [int(n) for n in re.findall(r"\d+", label)]
    found: dict[str, Any] = {"low": min(numbers), "high": max(numbers)}
    if "%" in label:  # economic lists every allowed value (10%，15%，20%或25%)
        found["values"] = numbers
    if text.level:
        found["level"] = text.level
    found["descriptors"] = descriptors(text.lines, factor_codes)
    return found


def descriptors(lines: list[str], factor_codes: list[str]) -> list[dict[str, str]]:
    if len(lines) == 1:  # the results guide writes a whole band on one line, clauses split by ；
        return [{"text": clause} for clause in clauses(lines[0])]
    found = []
    for position, line in enumerate(lines):
        tag = FACTOR_TAG.search(line)
        if tag:  # economic results lines end with their factor: （Le）（T）（C）（I）
            found.append({"text": line[: tag.start()].strip(), "factor": tag[1]})
        elif factor_codes:  # economic process lines are untagged but come in A, D, L, I order
            if len(lines) != len(factor_codes):
                raise SeedError(f"评分指南: {len(lines)} lines for factors {factor_codes}")
            found.append({"text": line, "factor": factor_codes[position]})
        else:
            found.append({"text": line})
    return found


def guide_fields(
    guide_id: str,
    name: str,
    lines: list[Line],
    guide_factors: list[dict[str, str]],
    notes: list[str],
) -> dict[str, Any]:
    has_values = any(re.search(r"\d+%", line.text) for line in lines)
    texts = economic_bands(lines) if has_values else ranged_bands(lines)
    codes = [factor["code"] for factor in guide_factors]
    bands = [band_fields(text, codes) for text in texts]
    values = [value for band in bands for value in band.get("values", [])]
    # Listed values fix the step (economic: multiples of 5); a bare range allows any integer.
    step = math.gcd(*values) if values else 1
    return {
        "id": guide_id,
        "name": name,
        "kind": guide_id,
        "step": step,
        "factors": guide_factors,
        "bands": bands,
        "notes": notes,
    }


def build_guides(appendix: list[Line]) -> tuple[str, list[dict[str, Any]]]:
    principles = joined(between(appendix, r"^1[.．]评分原则", r"^2[.．]评分指南"))
    process = between(appendix, r"^过程评分指南", r"^结果评分指南")
    results = between(appendix, r"^结果评分指南", r"^注[:：]")
    # 注 follows the two guides and explains the quantities (少量、多数 …) both use.
    notes = (
        paragraphs(between(appendix, r"^注[:：]", None))
        if any(re.match(r"^注[:：]", line.clean) for line in appendix)
        else []
    )
    process_factors, results_factors = factors(principles) or ([], [])
    return principles, [
        guide_fields("process", "过程评分指南", process, process_factors, notes),
        guide_fields("results", "结果评分指南", results, results_factors, notes),
    ]


# --------------------------------------------------------------------------- the rest


def core_values(lines: list[Line]) -> list[dict[str, Any]]:
    """1.质量成就未来。… — the lead paragraph before the numbered values has no field."""
    found = []
    for text in paragraphs(lines):
        match = CORE_VALUE.match(text)
        if match:
            found.append({"number": int(match[1]), "name": match[2], "text": match[3].strip()})
    return found


def key_terms(lines: list[Line]) -> list[dict[str, Any]]:
    """高质量发展（high quality development） followed by its definition paragraphs."""
    found: list[dict[str, Any]] = []
    for text in paragraphs(lines):
        match = KEY_TERM.match(text)
        if match:
            found.append({"term": match["term"], "english": match["english"], "definition": []})
        elif found:
            found[-1]["definition"].append(text)
        elif text != "关键术语":
            raise SeedError(f"附录二: text before the first term: {text!r}")
    for term in found:
        term["definition"] = "\n".join(term["definition"])
    return found


def references(lines: list[Line]) -> list[str]:
    return [text for text in paragraphs(lines) if text != "参考文献"]


def build_standard(text: ClassText, seed_name: str) -> dict[str, Any]:
    parts = sections(text)
    content = parse_content(parts["content"])
    economic = text.class_id == "economic"
    table = (parse_economic_table if economic else parse_grouped_table)(parts["review"])
    categories = (build_economic if economic else build_grouped)(content, table)
    principles, guides = build_guides(parts["appendix1"])
    return {
        "class_id": text.class_id,
        "title": TITLE,
        "award_class": text.award_class,
        "total_points": sum(category["points"] for category in categories),
        "source": {"file": seed_name, "first_line": text.first_line, "last_line": text.last_line},
        "preface": joined(parts["preface"]),
        "core_values": core_values(parts["values"]),
        "profile": build_profile(content.profile),
        "categories": categories,
        "scoring_principles": principles,
        "scoring_guides": guides,
        "key_terms": key_terms(parts["appendix2"]),
        "references": references(parts.get("appendix3", [])),
    }


# --------------------------------------------------------------------------- output


class _Dumper(yaml.SafeDumper):
    """Multi-paragraph strings as literal blocks, so a reviewer reads them as text."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render(data: dict[str, Any]) -> str:
    # Through the schema first: a shape error surfaces here, before any file is written.
    standard = Standard.model_validate(data)
    dumped = standard.model_dump(mode="json", exclude_none=True)
    return yaml.dump(dumped, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def generate(seed: Path) -> dict[str, str]:
    """File name → YAML text for every class of the seed."""
    raw = seed.read_text(encoding="utf-8").split("\n")
    lines = [Line(number, text) for number, text in enumerate(raw, start=1)]
    return {
        f"{text.class_id}.yaml": render(build_standard(text, seed.name))
        for text in split_classes(lines)
    }


def validate(directory: Path, names: Sequence[str]) -> list[str]:
    problems = []
    for name in names:
        try:
            load_standard_file(directory / name)
        except StandardFileError as exc:
            problems.append(str(exc))
    return problems


def differing(out: Path, files: dict[str, str]) -> list[str]:
    found = []
    for name, text in files.items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            found.append(str(path))
    return found


def write(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, required=True, help="the seed text file")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "standards",
        help="folder of the standard files (default: standards/ next to tools/)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing the files that differ from what the seed gives",
    )
    args = parser.parse_args(argv)
    try:
        files = generate(args.seed)
    except (OSError, ValueError) as exc:  # SeedError, or the schema refusing what we built
        print(f"{args.seed}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            write(Path(scratch), files)
            problems = validate(Path(scratch), list(files))
        stale = differing(args.out, files)
        for line in [*problems, *(f"differs from the seed: {path}" for path in stale)]:
            print(line)
        return 1 if problems or stale else 0
    write(args.out, files)
    problems = validate(args.out, list(files))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"wrote and validated {len(files)} files in {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
