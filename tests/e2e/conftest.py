"""The e2e tests' browser: one Debian chromium for the whole e2e package (starting one
costs seconds), and a fresh set of browser contexts (cookies, storage) for each test:
each person a test signs in gets a context of their own, closed when the test ends."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS
from tests.services import unavailable


def _need(condition: bool, message: str) -> None:
    if not condition:
        unavailable(message)


@pytest.fixture(scope="package")
def running_chromium() -> Iterator[object]:
    _need(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
          f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright package is not installed (pip install -e '.[test]')")
        raise
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def chromium(running_chromium: object) -> Iterator[object]:
    """The browser, with no context left from an earlier test."""
    assert not running_chromium.contexts  # type: ignore[attr-defined]
    yield running_chromium
    for context in running_chromium.contexts:  # type: ignore[attr-defined]
        context.close()
