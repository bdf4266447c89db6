"""What every page must show its reader, checked on the page as rendered in chromium.

Used by the page audit (tests/e2e/test_pages_audit.py), which walks every link a person
can follow and holds each page to the issue's rules: no English identifier of a state,
stage, class, role or step on a Chinese page; every time in Beijing time to the minute
with the zone named once, never a raw or UTC timestamp; scores out of 500 with two
decimals; no bare error page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.vocabulary import ApplicationState
from mqa_workflow.reviews.models import AssignmentStatus, ReviewStage
from mqa_workflow.states.table import TRANSITIONS
from mqa_workflow.web.phrases_setup import CLASS_LABELS

IDENTIFIERS = sorted({*ApplicationState, *ReviewStage, *AssignmentStatus, *Role,
                      *CLASS_LABELS, *(spec.trigger for spec in TRANSITIONS)},
                     key=len, reverse=True)
WORD = re.compile(r"(?<![\w@./-])(" + "|".join(map(re.escape, IDENTIFIERS)) + r")(?![\w@/-])")
# Any other snake_case word (a trigger, a field name) is an identifier too.
SNAKE = re.compile(r"(?<![\w@./-])[a-z]+(?:_[a-z]+)+(?![\w@/-])")
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")
RAW_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}|\+00:00|\bUTC\b")
CLOCK = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b")
ZONE = re.compile(r"北京时间")
OUT_OF_500 = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*500\b")
BARE_ERRORS = ("Internal Server Error", "Unprocessable Entity", '"detail"', "Traceback")


@dataclass
class Finding:
    url: str
    problems: list[str] = field(default_factory=list)


def problems_of(text: str, status: int) -> list[str]:
    """What is wrong with one Chinese page's visible text (empty when nothing)."""
    found = []
    if status >= 400:
        found.append(f"answered {status}")
    found += [f"bare error page ({marker})" for marker in BARE_ERRORS if marker in text]
    readable = EMAIL.sub(" ", text)
    words = set(WORD.findall(readable)) | set(SNAKE.findall(readable))
    found += [f"English identifier {word!r}" for word in sorted(words)]
    found += [f"raw timestamp {raw!r}" for raw in sorted(set(RAW_TIME.findall(text)))]
    zones = len(ZONE.findall(text))
    if CLOCK.search(text) and zones == 0:
        found.append("a time without the zone named (北京时间)")
    if zones > 1:
        found.append(f"the zone named {zones} times, not once")
    found += [f"score {score!r} / 500 not with two decimals"
              for score in OUT_OF_500.findall(text) if not re.fullmatch(r"\d+\.\d\d", score)]
    return found
