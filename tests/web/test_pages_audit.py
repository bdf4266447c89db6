"""Addresses a person may type or keep that the site cannot serve (a word where a number
goes, an application that does not exist, someone else's page) answer a page of the site
with its navigation, the status and a way back: never a bare 422/500 or a JSON body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.e2e.world import World
from tests.web.test_pages import sign_in

WRONG = {
    "applicant": ("/applications/abc", "/applications/999999", "/applications/999999/feedback",
                  "/applications/1/feedback.pdf", "/assignments/1", "/admin"),
    "reviewer": ("/assignments/abc", "/assignments/999999", "/applications/1/consensus/nope",
                 "/applications/abc/consensus/document_review", "/committee/1"),
    "committee": ("/committee/abc", "/committee/999999", "/tasks"),
    "admin": ("/admin/cases/abc", "/admin/cases/999999", "/admin/cycles/999999",
              "/admin/cycle-setup/abc"),
}


@pytest.mark.parametrize("role", sorted(WRONG))
def test_a_wrong_address_answers_a_page_of_the_site_never_a_bare_error(
        browser: TestClient, world: World, role: str) -> None:
    sign_in(browser, world, role)
    for path in WRONG[role]:
        answered = browser.get(path)
        assert 400 <= answered.status_code < 500, (path, answered.status_code)
        assert answered.headers["content-type"].startswith("text/html"), path
        page = answered.text
        assert '<html lang="zh-CN">' in page and 'data-back' in page, path
        assert "Traceback" not in page and '{"detail"' not in page, path
