"""Loading the six award standards from their reviewed data files.

A file that is malformed or breaks a rule of the standard fails with a
:class:`StandardFileError` that names the file, the code and what is wrong,
listing every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mqa_workflow.config import get_settings
from mqa_workflow.standards.models import CLASS_IDS, Standard
from mqa_workflow.standards.validation import check_standard

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


class StandardFileError(ValueError):
    """A standard file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{path}: invalid standard:\n{lines}")


class UnknownStandardError(LookupError):
    def __init__(self, class_id: str) -> None:
        self.class_id = class_id
        super().__init__(
            f"unknown award class {class_id!r}; the classes are: {', '.join(CLASS_IDS)}"
        )


def standards_dir() -> Path:
    """Where the standard files are: the setting, the checkout, or the installed copy."""
    configured = get_settings().standards_dir
    if configured is not None:
        return configured
    checkout = _PACKAGE_DIR.parent / "standards"
    if checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_data" / "standards"


def load_standard_file(path: Path) -> Standard:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardFileError(path, [f"cannot be read: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise StandardFileError(path, [f"is not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise StandardFileError(path, ["must hold one standard (a mapping at the top level)"])
    try:
        standard = Standard.model_validate(data)
    except ValidationError as exc:
        problems = [_describe_error(data, error) for error in exc.errors()]
        raise StandardFileError(path, problems) from exc
    problems = check_standard(standard)
    if standard.class_id != path.stem:
        problems.insert(0, f"class_id {standard.class_id!r} does not match the file name")
    if problems:
        raise StandardFileError(path, problems)
    return standard


def load_standards(directory: Path | None = None) -> dict[str, Standard]:
    """All six standards, keyed by class id, in the award's order."""
    return dict(_load_all(directory or standards_dir()))


@lru_cache(maxsize=4)
def _load_all(directory: Path) -> tuple[tuple[str, Standard], ...]:
    # Cached per folder: the files are read-only data, read once per process.
    loaded = []
    for class_id in CLASS_IDS:
        path = directory / f"{class_id}.yaml"
        if not path.is_file():
            raise StandardFileError(path, ["is missing: every award class needs its standard"])
        loaded.append((class_id, load_standard_file(path)))
    return tuple(loaded)


def load_standard(class_id: str, directory: Path | None = None) -> Standard:
    standards = load_standards(directory)
    try:
        return standards[class_id]
    except KeyError:
        raise UnknownStandardError(class_id) from None


_NODE_NAMES = {
    "categories": "category",
    "sub_categories": "sub-category",
    "items": "item",
    "guide_points": "guide point",
    "scoring_guides": "scoring guide",
    "bands": "band",
    "core_values": "core value",
    "key_terms": "key term",
}


def _describe_error(data: Any, error: Mapping[str, Any]) -> str:
    """Turn a pydantic error location into 'item 1.3: points: …' words."""
    where: list[str] = []
    node = data
    field_path: list[str] = []
    location = list(error["loc"])
    for position, key in enumerate(location):
        if isinstance(key, int) and position > 0 and isinstance(node, list):
            container = str(location[position - 1])
            node = node[key] if key < len(node) else None
            where.append(_node_label(container, key, node))
            field_path = []
            continue
        field_path.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    prefix = " > ".join(where) or "top level"
    field = ".".join(field_path)
    message = error["msg"]
    return f"{prefix}: {field}: {message}" if field else f"{prefix}: {message}"


def _node_label(container: str, index: int, node: Any) -> str:
    noun = _NODE_NAMES.get(container, container)
    if isinstance(node, dict):
        for key in ("code", "id", "term", "name", "low"):
            if node.get(key) is not None:
                return f"{noun} {node[key]}"
    return f"{noun} #{index + 1}"
