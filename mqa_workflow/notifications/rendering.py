"""Rendering a notice: one HTML template per event and language, autoescaped.

``templates/EVENT.LANG.html`` extends ``_layout.LANG.html`` and fills two
blocks: ``subject`` (one line) and ``body``. Autoescaping is on, so a name such
as ``A&B <公司>`` can never inject markup; the plain-text part of the e-mail and
the inbox text are derived from the escaped HTML. ``StrictUndefined`` makes a
missing variable an error: a broken template fails its task (kept in the outbox
with the error for operators) instead of sending an incomplete notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from mqa_workflow.clock import OFFICE_TZ
from mqa_workflow.notifications.labels import LANGUAGES, label

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def templates_dir() -> Path:
    """Where the notice templates are: data beside the standards, at the checkout's top
    (``notifications/``) or, installed, the wheel's copy."""
    checkout = _PACKAGE_DIR.parent / "notifications"
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_data" / "notifications"


TEMPLATES = templates_dir()
EVENTS: tuple[str, ...] = (
    "assignment", "reminder", "overdue", "escalation", "state_changed", "decision",
    "feedback_report_ready", "committee_referral",
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@pass_context
def _label(context: Context, code: str) -> str:
    return label(code, context["language"])


def _when(moment: datetime) -> str:
    """An aware moment as the office's local time (the deadlines are Shenzhen days)."""
    return moment.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True,
        trim_blocks=True, lstrip_blocks=True,
    )
    environment.filters.update(label=_label, when=_when)
    return environment


_ENVIRONMENT = _environment()


def render(event: str, language: str, context: dict[str, Any]) -> Rendered:
    if event not in EVENTS:
        raise KeyError(f"unknown event {event!r}; the events are: {', '.join(EVENTS)}")
    if language not in LANGUAGES:
        raise KeyError(f"unknown language {language!r}; choose {', '.join(LANGUAGES)}")
    template = _ENVIRONMENT.get_template(f"{event}.{language}.html")
    variables = {**context, "language": language}
    html = template.render(variables)
    subject_html = "".join(template.blocks["subject"](template.new_context(variables)))
    subject = " ".join(Markup(subject_html).unescape().split())  # one header line
    return Rendered(subject=subject, text=html_to_text(html), html=html)


class _TextParser(HTMLParser):
    """Plain text from the notice's HTML: paragraphs become lines, the head is skipped."""

    BREAKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script"):
            self._skip += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script"):
            self._skip -= 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    return "\n\n".join(line for line in lines if line) + "\n"
