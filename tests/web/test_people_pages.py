"""People and pool in the browser: an invitation's one-time link sets the password (the
password rules of every change, once, until it expires), the reviewer pool, and bulk
imports with a preview, every bad row by its number and nothing half-imported."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from mqa_workflow.accounts.models import User
from mqa_workflow.applicants.models import Organization
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.clock import now, set_clock
from mqa_workflow.reviews.models import PoolReviewer
from tests.e2e.world import World
from tests.web.test_pages import sign_in

NEW_PASSWORD = "a-fresh-long-passphrase-31"


@pytest.fixture
def to_review() -> bool:
    return False


def _invite(browser: TestClient, csrf: str, email: str = "new@pool.cn") -> str:
    page = browser.post("/admin/people/invite", data={
        "csrf_token": csrf, "name": "新专家", "email": email, "roles": ["reviewer"]})
    assert page.status_code == 200, page.text
    link = re.search(r'id="invitation-link" readonly value="[^"]*(/invite/[^"]+)"', page.text)
    assert link
    return link.group(1)


def _triggers(world: World) -> list[str]:
    with world.database.session() as session:
        return list(session.scalars(select(AuditRecord.trigger)))


def test_an_invitation_link_sets_the_password_once(browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    link = _invite(browser, csrf)
    assert "已邀请" in browser.get("/admin/people").text
    browser.cookies.clear()
    assert "新专家" in browser.get(link).text
    weak = browser.post(link, data={"password": "short", "password_again": "short"})
    assert weak.status_code == 422 and "密码至少 12 个字符" in weak.text
    differ = browser.post(link, data={"password": NEW_PASSWORD, "password_again": "x"})
    assert differ.status_code == 422 and "两次输入的密码不一致" in differ.text
    done = browser.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 303
    again = browser.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert again.status_code == 404 and "邀请链接无效" in again.text
    signed = browser.post("/login", data={"email": "new@pool.cn", "password": NEW_PASSWORD})
    assert signed.status_code == 303
    assert {"invite_user", "accept_invitation"} <= set(_triggers(world))


def test_an_expired_or_replaced_invitation_does_not_work(browser: TestClient,
                                                        world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    first = _invite(browser, csrf)
    with world.database.session() as session:
        person_id = session.scalar(select(User.id).where(User.email == "new@pool.cn"))
    second = browser.post(f"/admin/people/{person_id}/invite", data={"csrf_token": csrf})
    link = re.search(r'id="invitation-link" readonly value="[^"]*(/invite/[^"]+)"', second.text)
    assert link
    assert browser.get(first).status_code == 404  # the new link withdrew the first
    later = now() + timedelta(days=8)  # past the invitation's week
    set_clock(lambda: later)
    assert browser.get(link.group(1)).status_code == 404


def test_the_pool_entry_is_edited_on_the_person_page(browser: TestClient,
                                                     world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    with world.database.session() as session:
        committee = session.scalar(select(User).where(User.email == world.emails["committee"]))
        assert committee is not None
        person_id = committee.id
    refused = browser.post(f"/admin/people/{person_id}/pool", data={
        "csrf_token": csrf, "capacity": "0", "industries": "电子信息"})
    assert refused.status_code == 422 and "at least one class" in refused.text
    saved = browser.post(f"/admin/people/{person_id}/pool", data={
        "csrf_token": csrf, "classes": ["economic", "service"], "capacity": "5",
        "industries": "电子信息；先进制造", "may_lead": "on"})
    assert saved.status_code == 303
    with world.database.session() as session:
        entry = session.get(PoolReviewer, person_id)
        assert entry is not None and entry.capacity == 5 and entry.may_lead
        assert entry.classes == ["economic", "service"]
        assert "reviewer" in session.get(User, person_id).roles
    assert "pool_entry" in _triggers(world)


REVIEWERS = ("email,name,classes,industries,capacity,may_lead,employer_uscc,industry,district\n"
             "li@pool.cn,李专家,economic;service,电子信息,8,是,,电子信息,南山区\n"
             "zhao@pool.cn,赵专家,economic,先进制造,x,否,,,\n"
             "qian@pool.cn,钱专家,sports,,6,否,,,\n")


def test_a_reviewer_import_with_bad_rows_names_each_and_stores_nothing(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    preview = browser.post("/admin/people/import", data={"csrf_token": csrf,
                                                         "kind": "reviewers"},
                           files={"file": ("专家.csv", REVIEWERS.encode(), "text/csv")})
    assert preview.status_code == 422
    problems = dict(re.findall(r'<li data-row="(\d+)">([^<]+)</li>', html.unescape(
        preview.text)))
    assert list(problems) == ["3", "4"]
    assert problems["3"] == "第 3 行：capacity（评审上限）“x”：请填写整数"
    assert "sports" in problems["4"]
    with world.database.session() as session:
        assert session.scalar(select(User).where(User.email == "li@pool.cn")) is None


def test_a_good_import_is_previewed_then_applied(browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    good = "\n".join(REVIEWERS.splitlines()[:2]) + "\n"
    preview = browser.post("/admin/people/import", data={"csrf_token": csrf,
                                                         "kind": "reviewers"},
                           files={"file": ("专家.csv", good.encode(), "text/csv")})
    assert preview.status_code == 200 and "将导入" in preview.text
    with world.database.session() as session:  # the preview kept nothing
        assert session.scalar(select(User).where(User.email == "li@pool.cn")) is None
    content = re.search(r'name="content" value="([^"]+)"', preview.text)
    assert content
    applied = browser.post("/admin/people/import/apply", data={
        "csrf_token": csrf, "kind": "reviewers", "filename": "专家.csv",
        "content": content.group(1)})
    assert applied.status_code == 200 and "已导入" in applied.text
    with world.database.session() as session:
        person = session.scalar(select(User).where(User.email == "li@pool.cn"))
        assert person is not None and person.roles == ["reviewer"]
        assert session.get(PoolReviewer, person.id).classes == ["economic", "service"]
    assert "bulk_import" in _triggers(world)


def test_applicants_are_imported_from_the_xlsx_template(browser: TestClient,
                                                        world: World) -> None:
    csrf = sign_in(browser, world, "admin")
    template = browser.get("/admin/people/templates/applicants?format=xlsx")
    assert template.status_code == 200
    rows = list(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("name", "uscc") and len(rows) == 2
    preview = browser.post("/admin/people/import", data={"csrf_token": csrf,
                                                         "kind": "applicants"},
                           files={"file": ("申报主体.xlsx", template.content,
                                           "application/octet-stream")})
    assert preview.status_code == 200, preview.text
    content = re.search(r'name="content" value="([^"]+)"', preview.text)
    assert content
    applied = browser.post("/admin/people/import/apply", data={
        "csrf_token": csrf, "kind": "applicants", "filename": "申报主体.xlsx",
        "content": content.group(1)})
    assert applied.status_code == 200
    with world.database.session() as session:
        assert session.scalar(select(Organization).where(
            Organization.uscc == "91440300708461136T")) is not None


def test_people_pages_are_for_administrators_only(browser: TestClient, world: World) -> None:
    sign_in(browser, world, "operator")
    assert browser.get("/admin/people").status_code == 403
    assert browser.get("/admin/people/templates/reviewers").status_code == 403
