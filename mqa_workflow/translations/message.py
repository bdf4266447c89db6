"""What the workflow refuses, worded once and read in any language.

A guard, the committee's tally or the engine words a refusal as a :class:`Message`: a
``str`` whose text is the English (so the command line, the logs, the API's ``detail``
and every test comparing text read it as before) and which keeps its msgid, a
``%(name)s`` format, and its params. :func:`render` reads it in the reader's language
from the ``refusals`` catalogue (``locale/<lang>/LC_MESSAGES/refusals.po``).

Params that are the award's vocabulary travel as :class:`Word` (a state, a trigger, a
stage, an award, a role, a class; the English is the identifier, the catalogue gives
the reader's word under the msgctxt of its kind), lists as :class:`Listed` (joined the
reader's way), and a message inside a message as a :class:`Message`. Any other param is
shown as it is (numbers, dates, names, e-mail addresses).

Write refusals with :func:`refusal` and a literal msgid, never an f-string: the
catalogue test (tests/test_refusal_catalogue.py) extracts every ``refusal("…")`` and
fails on a msgid without its Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mqa_workflow.translations import translations

DOMAIN = "refusals"
# The kinds of vocabulary a Word can be: the msgctxt of its entries in the catalogue.
KINDS = ("state", "trigger", "stage", "award", "role", "class", "action", "objection",
         "assignment")
# The ways a list is joined; each is a msgid under the msgctxt "joiner".
JOINERS = (", ", " or ", "; ")


class Word(str):
    """A word of the award's vocabulary: its identifier in English (``document_review``),
    the catalogue's word for it (msgctxt = its kind) in the reader's language."""

    kind: str

    def __new__(cls, kind: str, value: str) -> Word:
        if kind not in KINDS:
            raise ValueError(f"{kind!r} is not a kind of word the catalogue has: {KINDS}")
        word = super().__new__(cls, value)
        word.kind = kind
        return word

    def __reduce__(self) -> tuple[Any, ...]:
        return Word, (self.kind, str(self))


class Listed(str):
    """Several params shown as one, joined by ``joiner`` (", " reads "、" in Chinese)."""

    items: tuple[str, ...]
    joiner: str

    def __new__(cls, items: Iterable[str], joiner: str = ", ") -> Listed:
        kept = tuple(items)
        listed = super().__new__(cls, joiner.join(str(item) for item in kept))
        listed.items, listed.joiner = kept, joiner
        return listed

    def __reduce__(self) -> tuple[Any, ...]:
        return Listed, (self.items, self.joiner)


class Moment(str):
    """A stored moment: the English (the command line, the logs) reads it in UTC, a page
    in Beijing time with the zone named, as every screen shows time."""

    at: datetime

    def __new__(cls, at: datetime) -> Moment:
        aware = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the zone
        moment = super().__new__(cls, aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        moment.at = aware
        return moment

    def __reduce__(self) -> tuple[Any, ...]:
        return Moment, (self.at,)


BEIJING = ZoneInfo("Asia/Shanghai")


class Message(str):
    """A refusal: the English text, with the msgid and params to read it in another
    language. Equal to (and hashed as) its English text, like any ``str``."""

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Message:
        kept = dict(params or {})
        message = super().__new__(cls, msgid % {k: _english(v) for k, v in kept.items()}
                                  if kept else msgid)
        message.msgid, message.params = msgid, kept
        return message

    def __reduce__(self) -> tuple[Any, ...]:
        return Message, (self.msgid, self.params)


def refusal(msgid: str, /, **params: Any) -> Message:
    """A refusal worded by ``msgid`` (a literal: the extraction reads it) and ``params``."""
    return Message(msgid, params)


def refusal_msgid(msgid: str, /) -> str:
    """Marks a msgid whose params come later (a table of msgids): the extraction reads it
    as it reads :func:`refusal`; ``Message(msgid, params)`` makes the refusal."""
    return msgid


def render(message: str, lang: str) -> str:
    """``message`` in ``lang``: a :class:`Message` from the catalogue (its English when the
    catalogue lacks it); any other text as it is, so nothing is ever hidden."""
    if not isinstance(message, (Message, Word, Listed)):
        return str(message)
    return _param(message, lang)


def _param(value: Any, lang: str) -> str:
    if isinstance(value, Message):
        text = translations(lang).dgettext(DOMAIN, value.msgid) or value.msgid
        if not value.params:
            return text
        return text % {k: _param(v, lang) for k, v in value.params.items()}
    if isinstance(value, Word):
        return _context(lang, value.kind, str(value))
    if isinstance(value, Moment):
        shown = value.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        return _context(lang, "time", "%s Beijing time") % shown
    if isinstance(value, Listed):
        joiner = _context(lang, "joiner", value.joiner)
        return joiner.join(_param(item, lang) for item in value.items)
    return str(value)


def _context(lang: str, context: str, msgid: str) -> str:
    """The catalogue's entry under ``context``, or ``msgid`` itself when it has none."""
    found: str = translations(lang).dpgettext(DOMAIN, context, msgid)
    return found or msgid


def _english(value: Any) -> Any:
    """A param in the English text: a Word is its identifier, a Message its English."""
    return str(value) if isinstance(value, str) else value


def explained(message: Any) -> dict[str, Any] | None:
    """A message's msgid and params as plain JSON (for the API), None for a plain text."""
    if not isinstance(message, Message):
        return None
    return {"msgid": message.msgid,
            "params": {k: v if isinstance(v, (int, float)) and not isinstance(v, bool)
                       else str(v) for k, v in message.params.items()}}
