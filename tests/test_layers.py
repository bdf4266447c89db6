"""The package's layers hold: ``lint-imports`` with the contracts in pyproject.toml.

Run in the suite so that an import pointing up (a domain reaching for the workflow or an
adapter, two domain packages importing each other) fails a test, not only a CI step.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "0 broken" in report


def test_the_states_vocabulary_imports_nothing_of_the_project() -> None:
    """Any package may name a state (the contracts let the cycles' models import it) only
    because the vocabulary itself stands on nothing of the project."""
    import ast

    source = (ROOT / "mqa_workflow" / "applications" / "vocabulary.py").read_text()
    imported = [node.module or "" for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if name.startswith("mqa_workflow")], imported
