"""The committed standard files reproduce the seed's items and points exactly.

Two independent checks: the generator reproduces the committed files byte for
byte, and a plain reading of the seed's 标准内容 headings (code, name, points)
matches every category, sub-category and item the loader returns.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS, Standard

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seeds" / "000_08d635ac89f3bc0f.txt"

pytestmark = pytest.mark.skipif(
    not SEED.is_file(), reason=f"the seed file is not beside the checkout ({SEED})"
)

# 1.领导（80分） · 1.2规划定位(60分) · 2．高质量运行（130分） · 1.1.1确定方向（30分）
HEADING = re.compile(r"^(\d+(?:\.\d+)*)[.．]?\s*([^（(\s]+)\s*[（(](\d+)分[）)]\s*$")


def seed_headings(standard: Standard) -> set[tuple[str, str, int]]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    section = lines[standard.source.first_line - 1 : standard.source.last_line]
    start = next(i for i, line in enumerate(section) if re.match(r"^[四五]、标准内容", line))
    end = next(i for i, line in enumerate(section) if re.match(r"^[五六]、评审细则", line))
    found = set()
    for line in section[start:end]:
        match = HEADING.match(line.strip())
        if match:
            found.add((match[1], match[2], int(match[3])))
    return found


def standard_headings(standard: Standard) -> set[tuple[str, str, int]]:
    found = set()
    for category in standard.categories:
        found.add((category.code, category.name, category.points))
        for sub in category.sub_categories:
            found.add((sub.code, sub.name, sub.points))
        for item in category.scored_items():
            found.add((item.code, item.name, item.points))
    return found


@pytest.mark.parametrize("class_id", CLASS_IDS)
def test_every_category_and_item_matches_the_seed_headings(class_id: str) -> None:
    standard = load_standard(class_id)
    assert standard_headings(standard) == seed_headings(standard)


def test_the_generator_reproduces_the_committed_files() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "extract_standards.py"), "--seed", str(SEED),
         "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
