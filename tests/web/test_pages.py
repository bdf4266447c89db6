"""The server-rendered pages: sign-in, each role's pages, forms with CSRF, languages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.e2e.world import PASSWORD, World


def sign_in(client: TestClient, world: World, role: str) -> str:
    """Sign in through the form; the CSRF token the pages carry."""
    response = client.post("/login", data={"email": world.emails[role], "password": PASSWORD,
                                           "next": "/"})
    assert response.status_code == 303, response.text
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200, home.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert found
    return found.group(1)


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_sign_in_page(browser: TestClient
                                                                      ) -> None:
    response = browser.get("/tasks")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/tasks"
    assert "登录" in browser.get("/login").text


def test_a_wrong_password_shows_the_form_again_with_401(browser: TestClient, world: World
                                                        ) -> None:
    response = browser.post("/login", data={"email": world.emails["admin"], "password": "x"})
    assert response.status_code == 401 and "电子邮箱或密码错误" in response.text


def test_each_role_lands_on_its_own_home(browser: TestClient, world: World) -> None:
    homes = {"admin": "/admin", "reviewer": "/tasks", "committee": "/committee",
             "applicant": "/applications", "operator": "/ops"}
    for role, home in homes.items():
        browser.cookies.clear()
        sign_in(browser, world, role)
        assert browser.get("/").headers["location"] == home


def test_pages_are_chinese_first_and_english_on_request(browser: TestClient, world: World
                                                        ) -> None:
    sign_in(browser, world, "reviewer")
    assert "我的评审任务" in browser.get("/tasks").text
    browser.get("/lang/en")
    assert "My tasks" in browser.get("/tasks").text


def test_a_form_post_without_the_csrf_token_is_refused(browser: TestClient, world: World
                                                       ) -> None:
    sign_in(browser, world, "other_applicant")
    path = f"/applications/{world.other_application_id}/answers"
    refused = browser.post(path, data={"profile": "x"})
    assert refused.status_code == 403 and "CSRF" in refused.text


def test_the_applicant_fills_in_the_form_and_submits(browser: TestClient, world: World
                                                     ) -> None:
    csrf = sign_in(browser, world, "other_applicant")
    b = world.other_application_id
    page = browser.get(f"/applications/{b}")
    assert "组织概述" in page.text and "1.1" in page.text
    items = {name: "做法与成效" for name in re.findall(r'name="(item_[\d.]+)"', page.text)}
    saved = browser.post(f"/applications/{b}/answers",
                         data={"csrf_token": csrf, "profile": "组织概况", **items})
    assert saved.status_code == 303
    # the form's action carries the CSRF token: it is checked before the body is read
    assert f'documents?csrf_token={csrf}"' in page.text
    uploaded = browser.post(f"/applications/{b}/documents?csrf_token={csrf}",
                            data={"csrf_token": csrf},
                            files={"file": ("证书.pdf", b"%PDF-1.4", "application/pdf")})
    assert uploaded.status_code == 303
    page = browser.get(f"/applications/{b}")
    assert "证书.pdf" in page.text
    # one submit, at the end of the form: it saves what is on the page and submits it
    assert re.search(r'id="submit-application"[^>]*value="submit"', page.text) or \
        re.search(r'value="submit"[^>]*id="submit-application"', page.text)
    submitted = browser.post(f"/applications/{b}/answers", data={
        "csrf_token": csrf, "profile": "组织概况", "action": "submit", **items})
    assert submitted.status_code == 303
    page = browser.get(f"/applications/{b}")
    assert "已申报" in page.text
    # withdrawing is offered once submitted, with the version the page showed
    assert re.search(r'name="version" value="\d+"', page.text) and 'id="withdraw"' in page.text


def test_the_scoring_form_shows_points_requirements_guide_points_and_bands(
        browser: TestClient, world: World) -> None:
    csrf = sign_in(browser, world, "reviewer")
    tasks = browser.get("/tasks").text
    assignment = re.search(r'href="/assignments/(\d+)"', tasks)
    assert assignment and "回避承诺" in tasks
    statement = browser.get(f"/assignments/{assignment.group(1)}").text
    assert "本人承诺" in statement and 'name="pct_1.1"' not in statement
    confirmed = browser.post(f"/assignments/{assignment.group(1)}/statement",
                             data={"csrf_token": csrf})
    assert confirmed.status_code == 303
    form = browser.get(f"/assignments/{assignment.group(1)}").text
    for shown in ("基本要求", "要点指引", "评分指引", "优势", "改进机会", "50–65%",
                  'data-points="', 'name="pct_1.1"'):
        assert shown in form, shown


def test_a_conflicted_reviewer_cannot_open_the_application_page(browser: TestClient,
                                                                world: World) -> None:
    sign_in(browser, world, "conflicted")
    page = browser.get(f"/applications/{world.application_id}")
    assert page.status_code == 403 and "存在利益冲突，不得查阅其材料" in page.text


def test_the_administrators_board_case_and_results_pages(browser: TestClient, world: World
                                                         ) -> None:
    csrf = sign_in(browser, world, "admin")
    board = browser.get(f"/admin/cycles/{world.cycle_id}")
    assert board.status_code == 200 and "材料评审" in board.text
    case = browser.get(f"/admin/cases/{world.application_id}")
    assert 'data-trigger="shortlist"' in case.text and "的评分表尚未提交" in case.text
    dry = browser.post(f"/admin/cycles/{world.cycle_id}/bulk", data={
        "csrf_token": csrf, "trigger": "shortlist", "dry_run": "on"})
    assert dry.status_code == 200 and "试运行" in dry.text and "的评分表尚未提交" in dry.text
    assert browser.get(f"/admin/cycles/{world.cycle_id}/results").status_code == 200
    assert browser.get("/ops").status_code == 200


def test_other_roles_are_refused_the_administrators_pages(browser: TestClient, world: World
                                                          ) -> None:
    sign_in(browser, world, "reviewer")
    for path in ("/admin", f"/admin/cycles/{world.cycle_id}",
                 f"/admin/cases/{world.application_id}", "/ops", "/committee"):
        assert browser.get(path).status_code == 403, path
