"""Imported first by every benchmark script: lets ``python bench/NAME.py`` import the
repository's packages (``bench``, ``mqa_workflow``, and ``tests.processes`` which the
benchmarks share with the tests) without installing anything more."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
