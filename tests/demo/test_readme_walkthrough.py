"""The README's "Running an award cycle" block runs as written from a fresh clone.

The block is read from README.md itself and run command by command, in-process, from
the repository root (so its ``examples/`` paths resolve as they do for a newcomer),
with its ``export`` lines applied and the database replaced by a temporary SQLite file.
A command that fails names itself, its line in the README and its output.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mqa_workflow.applications.filetypes import PDF, sniff
from mqa_workflow.cli import app
from mqa_workflow.config import get_settings
from mqa_workflow.db import get_database
from mqa_workflow.reviews.profiles import template_csv
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SECTION = "## Running an award cycle"


@dataclass(frozen=True)
class Command:
    line: int  # in README.md, 1-based, where the command starts
    text: str
    words: list[str]


def walkthrough_block(readme: str) -> tuple[int, list[str]]:
    """The first ```bash block of the section: its first line number and its lines."""
    lines = readme.splitlines()
    start = lines.index(SECTION)
    opening = next(n for n in range(start, len(lines)) if lines[n].strip() == "```bash")
    closing = next(n for n in range(opening + 1, len(lines)) if lines[n].strip() == "```")
    return opening + 2, lines[opening + 1:closing]


def commands(first_line: int, lines: list[str]) -> list[Command]:
    """Shell lines joined at trailing backslashes, comments and blank lines dropped."""
    found: list[Command] = []
    pending, pending_line = "", 0
    for number, line in enumerate(lines, first_line):
        if not pending:
            pending_line = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        words = shlex.split(text, comments=True)
        if words:
            found.append(Command(pending_line, text, words))
    return found


def exports(words: list[str]) -> dict[str, str]:
    pairs = dict(word.split("=", 1) for word in words[1:])
    assert all(re.fullmatch(r"[A-Z_][A-Z0-9_]*", name) for name in pairs), words
    return pairs


@pytest.fixture
def newcomer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh clone's shell: the repository root as the working directory, nobody named
    as the actor and no broker, only what the README's export lines set."""
    monkeypatch.chdir(ROOT)
    for name in ("MQA_ACTOR", "MQA_BROKER_URL", "MQA_DATABASE_URL", "MQA_STANDARDS_DIR",
                 "MQA_AUDIT_KEY_FILE", "MQA_AUDIT_CHECKPOINT_DIR"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    get_database.cache_clear()
    yield tmp_path / "mqa.sqlite3"
    get_settings.cache_clear()
    get_database.cache_clear()


def test_the_readme_walkthrough_runs_as_written(newcomer: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first_line, lines = walkthrough_block((ROOT / "README.md").read_text(encoding="utf-8"))
    walkthrough = commands(first_line, lines)
    assert len(walkthrough) > 10, "the walk-through block was not found whole"
    ran: list[str] = []
    said: dict[str, str] = {}  # each command's output, by its first two words
    for command in walkthrough:
        where = f"README.md line {command.line}: {command.text}"
        if command.words[0] == "export":
            for name, value in exports(command.words).items():
                # The README's database is a file in the clone; the test's is its own.
                monkeypatch.setenv(name, f"sqlite:///{newcomer}"
                                   if name == "MQA_DATABASE_URL" else value)
            get_settings.cache_clear()
            get_database.cache_clear()
            continue
        assert command.words[0] == "mqa", f"{where}\nonly mqa commands can be run here"
        result = CliRunner().invoke(app, command.words[1:])
        assert result.exit_code == 0, (
            f"{where}\nexit status {result.exit_code}\n{result.output}"
            + (f"\n{result.exception!r}" if result.exception else ""))
        ran.append(command.words[1])
        said[" ".join(command.words[1:3])] = result.output
    assert newcomer.exists(), "the walk-through did not use the temporary database"
    assert ran[0] == "db", "the walk-through starts by creating the schema"
    # What the newcomer reads is what the office reads on the case page: Beijing time,
    # only the steps of the cycle's procedure, no "None → None" for an office action.
    shown = said["case show"]
    assert "history (Beijing time)" in shown and " UTC " not in shown
    assert "shortlist_for_defence" not in shown and "None → None" not in shown
    assert "confirm_no_conflict" in shown and "shortlist: waits for" in shown
    # The invitation printed a link whole on its own line, to the address given.
    assert re.search(r"^http://127\.0\.0\.1:8000/invite/\S+$", said["user invite"], re.M)


def test_the_block_reader_joins_continued_lines_and_drops_comments() -> None:
    lines = ["mqa applicant add --name 深圳某公司 \\", "    --district 南山区   # a comment",
             "", "# only a comment", "mqa case show 1 --reason '补正 # not a comment'"]
    found = commands(10, lines)
    assert [c.line for c in found] == [10, 14]
    assert found[0].words == ["mqa", "applicant", "add", "--name", "深圳某公司",
                              "--district", "南山区"]
    assert found[1].words[-1] == "补正 # not a comment"


@pytest.mark.parametrize("award_class", CLASS_IDS)
def test_each_class_has_an_example_answers_file_with_the_standards_item_codes(
        award_class: str) -> None:
    data = json.loads((EXAMPLES / f"answers-{award_class}.json").read_text(encoding="utf-8"))
    assert set(data) == {"profile", "items"}
    assert re.search(r"[\u4e00-\u9fff]", data["profile"])
    codes = [item.code for item in load_standard(award_class).scored_items()]
    assert list(data["items"]) == codes  # every scored item, in the standard's order
    for code, text in data["items"].items():
        item_name = next(i.name for i in load_standard(award_class).scored_items()
                         if i.code == code)
        assert text.startswith(f"{item_name}："), (code, text)


def test_the_sample_licence_is_a_small_well_formed_pdf_the_upload_check_accepts() -> None:
    data = (EXAMPLES / "营业执照.pdf").read_bytes()
    assert sniff(data, "营业执照.pdf") is PDF
    assert len(data) < 1024
    # The cross-reference table is where startxref says, and each entry finds its object.
    xref_at = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data[xref_at:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n ", data)]
    assert offsets
    for number, offset in enumerate(offsets, 1):
        assert data[offset:].startswith(b"%d 0 obj" % number)


def test_the_conflict_profile_example_is_what_mqa_conflict_template_writes() -> None:
    written = (EXAMPLES / "conflict-profiles.csv").read_text(encoding="utf-8-sig")
    assert written.splitlines() == template_csv().splitlines()
