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
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

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


# Values the templates only ever print as they are (never test, filter or compare, apart
# from `{% if reason %}`, which a non-empty value always passes): a notice is rendered once
# with a marker in their place and each one's value filled in afterwards. The class is not
# one of them: it is printed by its name in the notice's language (``|label``).
FILLED = frozenset({"recipient", "title", "cycle", "application_id", "reason",
                    "location", "work_url", "task_url"})
_MARK = re.compile("\ue000([a-z_]+)\ue001")
_SKELETONS: dict[Hashable, _Skeleton] = {}
_SKELETONS_KEPT = 512


@dataclass(frozen=True)
class _Skeleton:
    """A rendered notice split at its markers: literal text and the names to fill in."""
    subject: tuple[str, ...]
    text: tuple[str, ...]
    html: tuple[str, ...]

    def fill(self, values: dict[str, str]) -> Rendered:
        escaped = {name: str(escape(value)) for name, value in values.items()}
        return Rendered(subject=_join(self.subject, values), text=_join(self.text, values),
                        html=_join(self.html, escaped))


def _split(rendered: str) -> tuple[str, ...]:
    return tuple(_MARK.split(rendered))  # literal, name, literal, name, …, literal


def _join(parts: tuple[str, ...], values: dict[str, str]) -> str:
    return "".join(part if n % 2 == 0 else values[part] for n, part in enumerate(parts))


def _fillable(value: Any) -> str | None:
    """The text a marker may stand for: a one-line value that renders the same wherever it
    stands (no whitespace the text and subject would fold, no marker characters)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if not text or text != " ".join(text.split()) or "\ue000" in text or "\ue001" in text:
        return None
    return text


def render_many(event: str, language: str, context: dict[str, Any],
                recipients: Sequence[str]) -> list[Rendered]:
    """``render(event, language, context | {"recipient": name})`` for each name, rendering
    the template once per shape of notice (event, language, the values that are not just
    printed) and filling the printed values in: the same text, HTML and subject as
    :func:`render`, at a fraction of its cost for the second and later notices."""
    shared = {name: _fillable(context[name]) for name in FILLED & context.keys()}
    fixed = tuple(sorted((name, value) for name, value in context.items()
                         if shared.get(name) is None))
    filled = tuple(sorted(name for name, value in shared.items() if value is not None))
    try:
        key: Hashable = (event, language, filled, fixed)
        hash(key)
    except TypeError:  # a list in the context (the people responsible): render each
        return [render(event, language, context | {"recipient": name}) for name in recipients]
    skeleton = _SKELETONS.get(key)
    if skeleton is None:
        marked = context | {name: f"\ue000{name}\ue001" for name in filled}
        probe = render(event, language, marked | {"recipient": "\ue000recipient\ue001"})
        skeleton = _Skeleton(_split(probe.subject), _split(probe.text), _split(probe.html))
        if len(_SKELETONS) >= _SKELETONS_KEPT:
            _SKELETONS.clear()  # a long-lived worker: keep the cache bounded
        _SKELETONS[key] = skeleton
    values = {name: shared[name] or "" for name in filled}
    out = []
    for name in recipients:
        recipient = _fillable(name)
        if recipient is None:
            out.append(render(event, language, context | {"recipient": name}))
        else:
            out.append(skeleton.fill(values | {"recipient": recipient}))
    return out


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
