#!/usr/bin/env python3
"""Fold a python phrase module (a ``ZH`` dict: English → Chinese) into the catalogues.

Usage::

    python tools/phrases_to_po.py mqa_workflow.web.phrases_shenzhen_review [MODULE ...]
    python tools/phrases_to_po.py mqa_workflow/web/phrases_office_audit.py --check

Each module's ``ZH`` entries become msgids of ``zh_CN/messages.po`` (msgid = the English,
msgstr = the Chinese; ``%d``/``%s``/``%(name)s`` marked python-format) and, with an empty
msgstr (read as the English), of ``en/messages.po``. A msgid already in a catalogue is kept
as it is: the catalogue is the source once a phrase is in it, so the tool never overwrites
a reviewed translation; where the module says something else it is printed, for a person
to settle. After folding, the module's ``ZH`` dict can be deleted.

``--check`` writes nothing and exits 1 if a module still has phrases the catalogue lacks.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mqa_workflow.translations.catalogues import (  # noqa: E402  (after the path is set)
    add_msgids,
    load_catalogue,
    save_catalogue,
)


def phrase_module(name: str) -> ModuleType:
    """A dotted module name, or a path to a ``.py`` file."""
    if name.endswith(".py"):
        path = Path(name).resolve()
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise SystemExit(f"cannot load {name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)


def phrases_of(name: str) -> Mapping[str, str]:
    phrases = getattr(phrase_module(name), "ZH", None)
    if not isinstance(phrases, Mapping):
        raise SystemExit(f"{name} has no ZH dict")
    return phrases


def fold(phrases: Mapping[str, str], *, write: bool) -> tuple[list[str], list[str]]:
    """(msgids added, msgids whose kept msgstr differs from the module's)."""
    chinese = load_catalogue("zh", "messages")
    added: list[str] = []
    differing: list[str] = []
    for msgid, msgstr in phrases.items():
        kept = chinese.get(msgid)
        if kept is None:
            chinese.add(msgid, msgstr)
            added.append(msgid)
        elif kept.string and kept.string != msgstr:
            differing.append(f"{msgid!r}: kept {kept.string!r}, module says {msgstr!r}")
    if write:
        if added:
            save_catalogue(chinese, "zh", "messages")
        english = load_catalogue("en", "messages")
        if add_msgids(english, phrases):  # the same msgids, read as the English
            save_catalogue(english, "en", "messages")
    return added, differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="+", help="dotted module names or .py paths")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if "
                        "a module has phrases the catalogue lacks")
    args = parser.parse_args(argv)
    missing = 0
    for name in args.modules:
        added, differing = fold(phrases_of(name), write=not args.check)
        verb = "missing from" if args.check else "added to"
        print(f"{name}: {len(added)} phrases {verb} the catalogues")
        for line in differing:
            print(f"  kept, differs: {line}")
        missing += len(added)
    return 1 if args.check and missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
