"""The workflow's refusals in the reader's language.

The guards (states/guards.py), the committee's tally, the engine and the release word
their reasons as refusals (``mqa_workflow.translations.message``): English text for the
command line, the API and the logs, with the msgid and params the pages read in the
reader's language from the ``refusals`` catalogue. A sentence that is plain text (no
refusal behind it) is shown as it is, so a new guard is never hidden, only untranslated.
"""

from __future__ import annotations

from collections.abc import Sequence

from mqa_workflow.translations.message import render


def translate(sentence: str, lang: str = "zh") -> str:
    """``sentence`` in ``lang`` when it is a refusal, else as it is."""
    return render(sentence, lang)


def in_language(sentences: Sequence[str], lang: str) -> list[str]:
    return [render(sentence, lang) for sentence in sentences]
