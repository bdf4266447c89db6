"""Class, stage, state and status names reach a Chinese page in Chinese: no page shows
``document_review``, ``economic`` or ``submitted`` to its reader (the issue's words: "never
``document_review`` or ``economic`` on a Chinese page")."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from mqa_workflow.applications.vocabulary import ApplicationState
from mqa_workflow.standards.models import CLASS_IDS
from tests.e2e.world import World
from tests.web.test_pages import sign_in
from tests.web.test_reviewer_pages import assignment_of

# The codes the database keeps, which a page must name in words: states, classes, review
# stages, assignment and sheet statuses, the committee's choices.
IDENTIFIERS = sorted({s.value for s in ApplicationState} | set(CLASS_IDS) | {
    "assigned", "declined", "document_review", "site_visit", "consensus", "grand",
    "encouragement", "self_declared", "committee_member", "applicant_contact"})
RAW = re.compile(r"(?<![A-Za-z_./-])(" + "|".join(IDENTIFIERS) + r")(?![A-Za-z_/-])")


def visible_text(page: str) -> str:
    """What the reader sees: no scripts, styles, tags or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", page))


def raw_names(browser: TestClient, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        raw = RAW.findall(visible_text(response.text))
        if raw:
            found[path] = sorted(set(raw))
    return found


def test_the_administrators_pages_name_states_classes_and_stages_in_chinese(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "admin")
    cycle, case = world.cycle_id, world.application_id
    assert raw_names(browser, [
        "/admin", f"/admin/cycles/{cycle}", f"/admin/cases/{case}",
        f"/admin/cycles/{cycle}/results", f"/admin/cycle-setup/{cycle}", "/admin/people",
        "/admin/conflicts",
    ]) == {}


def test_the_reviewers_pages_name_class_stage_and_status_in_chinese(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "reviewer")
    assignment = assignment_of(world, "reviewer")
    browser.post(f"/assignments/{assignment}/statement", data={"csrf_token": csrf})
    assert raw_names(browser, [
        "/tasks", f"/assignments/{assignment}",
        f"/applications/{world.application_id}/consensus/document_review",
    ]) == {}


def test_the_applicants_and_the_committees_pages_name_states_and_classes_in_chinese(
        browser: TestClient, world: World) -> None:
    sign_in(browser, world, "applicant")
    assert raw_names(browser, ["/applications", f"/applications/{world.application_id}"]) == {}
    browser.cookies.clear()
    sign_in(browser, world, "committee")
    assert raw_names(browser, ["/committee"]) == {}
