"""Page text: Chinese first, English available (the ``lang`` cookie picks).

Templates write the English text, ``{{ t("Sign in") }}`` (or ``{% trans %}``); the words
of each language are in the gettext catalogues, ``mqa_workflow/translations/locale/
{zh_CN,en}/LC_MESSAGES/messages.po`` (msgid = the English). tests/test_catalogues.py
extracts every phrase the pages use and fails on any without its Chinese; refresh the
catalogues with ``python tools/update_catalogues.py``. A phrase missing from a catalogue
shows in English rather than blank.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from mqa_workflow.translations import gettext_for

LANGUAGES = ("zh", "en")


def translator(language: str) -> Callable[[str], str]:
    """The reader's ``gettext``: English text in, the reader's language out."""
    return _translator(language if language in LANGUAGES else "zh")


@cache
def _translator(language: str) -> Callable[[str], str]:
    gettext = gettext_for(language)

    def t(text: str) -> str:
        # gettext("") is the catalogue's header (its metadata): an empty text stays empty.
        return gettext(text) if text else text

    return t
