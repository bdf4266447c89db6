"""The award office's tester in Debian's chromium at 1366×900: every page each person can
reach by following links, at two moments of one cycle (document review under way; the
results released), held to the issue's rules for every page (see page_audit.py), with a
screenshot of each page in ``artifacts/e2e/audit-*.png``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mqa_workflow.db import Database
from tests.e2e.browser import ARTIFACTS
from tests.e2e.page_audit import problems_of
from tests.e2e.test_whole_path import Person
from tests.e2e.world import World, build, signed_in_clients
from tests.migrated import migrated_sqlite
from tests.reports.reported import release, to_grand_award
from tests.services import web_server

PEOPLE = ("applicant", "reviewer", "reviewer2", "committee", "admin", "operator")
MAX_PAGES = 45  # per person and moment: the board's filters multiply links, not pages
# Not pages: downloads, the API, leaving, switching language, the exports.
SKIP = re.compile(r"^/(api/|logout|lang/|static/)|\.(pdf|csv|xlsx|json)$|/documents/\d+|"
                  r"format=(csv|xlsx|pdf)")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    database = Database(migrated_sqlite(tmp_path / "audit.sqlite3"))
    yield build(database)
    database.engine.dispose()


def _shape(path: str) -> str:
    """One page per shape: /applications/7 and /applications/8 are the same page."""
    return re.sub(r"\d+", "N", path)


def _links(page: object) -> list[str]:
    hrefs = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs if h and h.startswith("/") and not h.startswith("//")]


def walk(person: Person, moment: str) -> dict[str, list[str]]:
    """Every page ``person`` reaches from the home page: the problems of each."""
    from playwright.sync_api import Error as PlaywrightError

    page = person.page
    page.set_viewport_size({"width": 1366, "height": 900})
    queue, seen_shapes, report = ["/"], set(), {}
    while queue and len(report) < MAX_PAGES:
        path = queue.pop(0)
        shape = _shape(urlsplit(path).path) + ("?" if urlsplit(path).query else "")
        if SKIP.search(path) or shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        page.wait_for_load_state("networkidle")
        landed = urlsplit(page.url).path
        text = page.inner_text("body")
        report[f"{path} → {landed}" if landed != urlsplit(path).path else path] = problems_of(
            text, response.status if response else 0)
        slug = re.sub(r"[^\w]+", "_", landed.strip("/")) or "home"
        page.screenshot(path=str(ARTIFACTS / f"audit-{moment}-{person.name}-{slug}.png"),
                        full_page=True)
        queue += [link for link in _links(page) if link not in queue]
    return report


def read_inbox(person: Person, moment: str) -> dict[str, list[str]]:
    """Every notice in the person's inbox, opened: no identifier in it, and a notice about
    work to do (a reviewer's, a member's) links to the page where it is done, which opens."""
    page = person.page
    page.goto("/inbox")
    page.eval_on_selector_all("details.notice", "all => all.forEach(d => d.open = true)")
    person.shot(f"audit-{moment}-inbox-open")
    report = {}
    for n, notice in enumerate(page.locator("details.notice").all()):
        text = notice.inner_text()
        problems = [p for p in problems_of(text, 200) if "zone" not in p]  # each is a mail
        links = [a for a in notice.locator(".body a[href]").all()]
        if person.name in ("reviewer", "reviewer2", "committee") and not links:
            problems.append("no link to the page where the work is done")
        for link in links:
            target = link.get_attribute("href") or ""
            answered = page.request.get(target)
            if answered.status != 200:
                problems.append(f"its link {target} answers {answered.status}")
        report[f"/inbox notice {n + 1}: {text.splitlines()[0][:60]}"] = problems
    return report


def _walk_everyone(chromium: object, base: str, world: World, moment: str
                   ) -> dict[str, dict[str, list[str]]]:
    found = {}
    for key in PEOPLE:
        person = Person(chromium, base, world.emails[key], key)
        found[key] = walk(person, moment) | read_inbox(person, moment)
        person.context.close()  # type: ignore[attr-defined]
    return found


def _bad(found: dict[str, dict[str, list[str]]]) -> list[str]:
    return [f"{who} {url}: {'; '.join(problems)}" for who, pages in found.items()
            for url, problems in pages.items() if problems]


def test_every_page_each_person_reaches_is_chinese_in_beijing_time_with_scores_of_500(
        world: World, chromium: object) -> None:
    for stale in ARTIFACTS.glob("audit-*.png"):  # only this walk's pages are kept
        stale.unlink()
    with web_server(world.database) as base:
        under_review = _walk_everyone(chromium, base, world, "review")
        with signed_in_clients(world) as api:
            to_grand_award(api, world)
            release(api, world)
        released = _walk_everyone(chromium, base, world, "released")
    (ARTIFACTS / "audit-pages.txt").write_text("\n".join(
        f"{moment} {who} {url}: {'; '.join(problems) or 'ok'}"
        for moment, found in (("review", under_review), ("released", released))
        for who, pages in found.items() for url, problems in pages.items()), encoding="utf-8")
    assert sum(len(pages) for pages in released.values()) >= 20  # the walk went somewhere
    assert _bad(under_review) + _bad(released) == []
