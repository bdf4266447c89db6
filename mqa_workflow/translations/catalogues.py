"""Reading and writing the ``.po`` catalogues as Babel catalogues (for the tools and the
extraction test; the pages only read them, through :func:`translations`)."""

from __future__ import annotations

from collections.abc import Iterable

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from mqa_workflow.translations import LOCALES, catalogue_path


def load_catalogue(lang: str, domain: str = "messages") -> Catalog:
    path = catalogue_path(lang, domain)
    if not path.exists():
        return Catalog(locale=LOCALES[lang], domain=domain, project="mqa-workflow")
    with path.open("rb") as po:
        return read_po(po, locale=LOCALES[lang], domain=domain)


def save_catalogue(catalog: Catalog, lang: str, domain: str = "messages") -> None:
    path = catalogue_path(lang, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        # No line numbers and no wrapping of msgids: a phrase moved in a template or a
        # new phrase is a one-entry diff, not a reflow of the file.
        write_po(po, catalog, width=0, omit_header=False, no_location=True,
                 include_previous=False)


def add_msgids(catalog: Catalog, msgids: Iterable[str]) -> list[str]:
    """Adds each msgid the catalogue lacks with an empty msgstr; returns those added."""
    added = []
    for msgid in msgids:
        if catalog.get(msgid) is None:
            catalog.add(msgid, "")
            added.append(msgid)
    return added
