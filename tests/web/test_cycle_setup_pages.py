"""Cycle set-up in the browser: a cycle created and edited through the form, every field
checked by the loader's own rules, every problem beside its field, nothing stored while
one remains, and every change audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.cycles.models import AwardCycle
from tests.e2e.world import World
from tests.web.test_pages import sign_in


@pytest.fixture
def to_review() -> bool:
    return False


def form_of(page: str) -> dict[str, Any]:
    """The fields of the set-up form as the browser would send them unchanged."""
    fields: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                fields.setdefault(name.group(1), []).append(value.group(1) if value else "on")
            continue
        fields[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        fields[name] = body
    return fields


def _cycles(world: World) -> list[AwardCycle]:
    with world.database.session() as session:
        return list(session.scalars(select(AwardCycle).order_by(AwardCycle.id)))


def test_an_administrator_creates_a_shenzhen_cycle_in_the_form(browser: TestClient,
                                                               world: World) -> None:
    sign_in(browser, world, "admin")
    page = browser.get("/admin/cycle-setup/new")
    assert page.status_code == 200 and "评审周期设置" in page.text and "北京时间" in page.text
    form = form_of(page.text) | {
        "name": "2027年度深圳市市长质量奖（试点）", "year": "2027",
        "classes": ["economic", "service"],
        "deadlines.submission": "2027-03-31", "deadlines.document_review": "2027-05-15",
        "deadlines.public_notice": "2027-10-30",
        "rules.optional_stages": ["defence", "public_notice"],
        "rules.score_weights.document_review": "0.3", "rules.score_weights.site_visit": "0.5",
        "rules.score_weights.defence": "0.2",
        "rules.award_quotas.economic.grand": "2",
        "rules.calendar.holidays": "2027-10-01..2027-10-07",
        "rules.eligibility.award_waiting_years": "3"}
    done = browser.post("/admin/cycle-setup/new", data=form)
    assert done.status_code == 303, done.text
    cycle = _cycles(world)[-1]
    assert cycle.name == "2027年度深圳市市长质量奖（试点）" and cycle.classes == [
        "economic", "service"]
    rules = cycle.rules
    assert rules.optional_stages == ["defence", "public_notice"]
    assert rules.score_weights == {"document_review": 0.3, "site_visit": 0.5, "defence": 0.2}
    assert rules.quota("economic").grand == 2 and rules.quota("service").grand == 1
    assert rules.calendar == {"holidays": ["2027-10-01..2027-10-07"]}
    assert rules.eligibility["award_waiting_years"] == 3
    assert rules.eligibility["min_years_registered"] == 3  # the default, shown and kept
    assert cycle.deadline("document_review").isoformat() == "2027-05-15"
    with world.database.session() as session:
        record = session.scalar(select(AuditRecord).where(
            AuditRecord.trigger == "create_cycle"))
        assert record is not None and record.actor == world.emails["admin"]
    shown = browser.get(done.headers["location"])
    assert "已保存" in shown.text and 'value="2027-05-15"' in shown.text


def test_every_bad_field_is_listed_beside_it_and_nothing_is_stored(browser: TestClient,
                                                                  world: World) -> None:
    sign_in(browser, world, "admin")
    before = len(_cycles(world))
    form = form_of(browser.get("/admin/cycle-setup/new").text) | {
        "year": "2027", "rules.reviewers_per_application": "0",
        "rules.committee_quorum": "many", "deadlines.submission": "2027-06-01",
        "deadlines.document_review": "2027-05-01", "deadlines.site_visit": "2027-13-01",
        "rules.award_quotas.economic.encouragement": "-1",
        "rules.calendar.holidays": "2027-02-30"}
    refused = browser.post("/admin/cycle-setup/new", data=form)
    assert refused.status_code == 422
    assert len(_cycles(world)) == before
    beside = dict(re.findall(r'data-field="([^"]+)">\s*<li>([^<]+)</li>', refused.text))
    assert beside["rules.reviewers_per_application"] == "不得小于 1"
    assert beside["rules.committee_quorum"] == "请填写数字"
    assert "早于前一阶段" in beside["deadlines.document_review"]
    assert beside["deadlines.site_visit"] == "请按 YYYY-MM-DD 填写日期"
    assert beside["rules.award_quotas.economic.encouragement"] == "不得小于 0"
    # What was typed stays in the form, to be corrected rather than typed again.
    assert 'value="many"' in refused.text


def test_weights_and_the_stages_they_name_are_checked_together(browser: TestClient,
                                                               world: World) -> None:
    sign_in(browser, world, "admin")
    form = form_of(browser.get("/admin/cycle-setup/new").text) | {
        "rules.score_weights.document_review": "0.5", "rules.score_weights.site_visit": "0.3",
        "rules.score_weights.social_evaluation": "0.2"}
    refused = browser.post("/admin/cycle-setup/new", data=form)
    assert refused.status_code == 422
    assert "本周期不设以下阶段" in refused.text and "social_evaluation" in refused.text
    form["rules.optional_stages"] = ["social_evaluation"]
    assert browser.post("/admin/cycle-setup/new", data=form).status_code == 303


def test_editing_the_rules_moves_deadlines_and_is_audited(browser: TestClient,
                                                          world: World) -> None:
    sign_in(browser, world, "admin")
    path = f"/admin/cycle-setup/{world.cycle_id}"
    form = form_of(browser.get(path).text)
    assert form["rules.reviewers_per_application"] == "2"
    refused = browser.post(path, data=form | {"rules.site_visit_team_size": "x"})
    assert refused.status_code == 422 and "请填写整数" in refused.text
    saved = browser.post(path, data=form | {"rules.site_visit_team_size": "4",
                                            "deadlines.site_visit": "2026-09-30"})
    assert saved.status_code == 303
    cycle = next(c for c in _cycles(world) if c.id == world.cycle_id)
    assert cycle.rules.site_visit_team_size == 4 and cycle.year == 2026
    assert cycle.deadlines == {"site_visit": "2026-09-30"}
    with world.database.session() as session:
        record = session.scalar(select(AuditRecord).where(AuditRecord.trigger == "edit_cycle"))
        assert record is not None
        assert record.data["rules"] == ["site_visit_team_size"]
        assert record.data["deadlines"] == ["site_visit"]


def test_the_set_up_pages_are_for_administrators_only(browser: TestClient,
                                                      world: World) -> None:
    sign_in(browser, world, "reviewer")
    assert browser.get("/admin/cycle-setup/new").status_code == 403
    assert browser.get(f"/admin/cycle-setup/{world.cycle_id}").status_code == 403
