"""The catalogues of the award's words: gettext ``.po`` files, Chinese first.

Each text domain has one catalogue per language under ``locale/<lang>/LC_MESSAGES``:
``messages`` for the pages, ``refusals`` for what the workflow refuses and why. The ``.po``
files are the source (kept in git, reviewed as text); they are compiled in memory the
first time a language is asked for, so no build step can leave a stale ``.mo`` behind.

A msgid without a translation reads as itself (English), never blank; the extraction test
(tests/test_catalogues.py) keeps every msgid translated.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "zh"
# The reader's language (the ``lang`` cookie, the user's setting) → the catalogue's locale.
LOCALES = {"zh": "zh_CN", "en": "en"}
DOMAINS = ("messages", "refusals")


def catalogue_path(lang: str, domain: str = "messages") -> Path:
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """Every domain of ``lang`` in one object (``gettext``, ``ngettext``, ``dgettext``)."""
    if lang not in LOCALES:
        lang = DEFAULT_LANGUAGE
    merged: Translations | None = None
    for domain in DOMAINS:
        loaded = _load(catalogue_path(lang, domain), domain)
        if merged is None:
            merged = loaded
        else:
            merged.add(loaded, merge=True)  # also reachable as dgettext(domain, …)
    return merged if merged is not None else gettext.NullTranslations()


def _load(path: Path, domain: str) -> Translations:
    if not path.exists():
        return Translations(domain=domain)
    with path.open("rb") as po:
        catalog = read_po(po)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def gettext_for(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext
