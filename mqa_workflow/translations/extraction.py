"""Extracting the page texts (the ``messages`` domain) with Babel, as ``pybabel extract``
would with the repository's ``babel.cfg``: for the catalogue tools and the CI check, never
at runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

# The calls whose first argument is a page text; ngettext's second is its plural.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "t": None, "_": None, "gettext": None, "ngettext": (1, 2), "N_": None,
}


@dataclass
class Extracted:
    """One msgid (a plural: its singular) and where it is used."""

    msgid: str
    plural: str | None = None
    places: list[str] = field(default_factory=list)


def repository_root() -> Path:
    return Path(__file__).resolve().parents[2]


def extract_messages(root: Path | None = None) -> dict[str, Extracted]:
    root = root or repository_root()
    with (root / "babel.cfg").open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, "babel.cfg")
    found: dict[str, Extracted] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            root, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        singular, plural = (message if isinstance(message, tuple) else (message, None))
        entry = found.setdefault(singular, Extracted(singular, plural))
        entry.places.append(f"{filename}:{lineno}")
    return found
