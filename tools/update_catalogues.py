#!/usr/bin/env python3
"""Refresh the ``messages`` catalogues from the code: every page text extracted with Babel
(``babel.cfg``) that a catalogue lacks is added, with an empty msgstr, to
``zh_CN/messages.po`` and ``en/messages.po``; then the new ones are listed for translating.

Usage::

    python tools/update_catalogues.py          # add the new msgids, list what is untranslated
    python tools/update_catalogues.py --check  # write nothing; exit 1 if any is untranslated

Nothing is ever removed: texts the pages look up from a table (state names, stages) are
not all extractable, and a phrase that is really gone is deleted by hand. tests/
test_catalogues.py runs the same check in CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mqa_workflow.translations.catalogues import (  # noqa: E402  (after the path is set)
    add_msgids,
    load_catalogue,
    save_catalogue,
)
from mqa_workflow.translations.extraction import extract_messages  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    extracted = extract_messages(ROOT)
    for lang in ("zh", "en"):
        catalog = load_catalogue(lang)
        added = add_msgids(catalog, extracted)
        if added and not args.check:
            save_catalogue(catalog, lang)
        print(f"{lang}: {len(added)} new msgids{' (not written)' if args.check else ''}")
    chinese = load_catalogue("zh")
    untranslated = [m for m in extracted
                    if chinese.get(m) is None or not chinese[m].string or chinese[m].fuzzy]
    for msgid in untranslated:
        print(f"untranslated: {msgid!r}  ({', '.join(extracted[msgid].places[:3])})")
    return 1 if untranslated and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
