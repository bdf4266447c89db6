"""A refusal reads in the reader's language: the pages in Chinese (or English), the API
in English with the reader's language beside it, malformed input alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mqa_workflow.web.app import create_app
from tests.e2e.world import World
from tests.services import settling
from tests.web.test_pages import sign_in


@pytest.fixture
def office(world: World) -> Iterator[tuple[TestClient, str]]:
    """The administrator's browser, signed in: the world's application is in document
    review, its reviewers assigned and their score sheets not yet submitted."""
    with settling(TestClient(create_app(world.database), follow_redirects=False)) as client:
        yield client, sign_in(client, world, "admin")


def shortlist(client: TestClient, csrf: str, application_id: int) -> str:
    refused = client.post(f"/applications/{application_id}/advance",
                          data={"csrf_token": csrf, "trigger": "shortlist"})
    assert refused.status_code == 409, refused.text
    return refused.text


def test_a_refused_transition_reads_in_chinese_on_the_pages(
        office: tuple[TestClient, str], world: World) -> None:
    client, csrf = office
    a = world.application_id
    page = shortlist(client, csrf, a)
    assert f"无法对申报 {a}（材料评审）执行「入围现场评审」" in page
    assert "的评分表尚未提交" in page and "材料评审：" in page
    assert "is not submitted" not in page and "document_review" not in page
    case = client.get(f"/admin/cases/{a}").text
    assert "的评分表尚未提交" in case and "is not submitted" not in case


def test_a_refused_transition_reads_in_english_for_an_english_reader(
        office: tuple[TestClient, str], world: World) -> None:
    client, csrf = office
    client.cookies.set("lang", "en")
    a = world.application_id
    page = shortlist(client, csrf, a)
    assert f"cannot shortlist application {a} (document_review)" in page
    assert "is not submitted" in page and "的评分表尚未提交" not in page
    assert "is not submitted" in client.get(f"/admin/cases/{a}").text


def test_the_api_answers_english_with_the_refusal_in_the_readers_language_beside_it(
        api: dict[str, TestClient], world: World) -> None:
    a = world.application_id
    refused = api["admin"].post(f"/api/applications/{a}/transitions",
                                json={"trigger": "shortlist"})
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["detail"] == f"cannot shortlist application {a} (document_review)"
    assert any(p.endswith("is not submitted") for p in answer["problems"])
    localized = answer["localized"]
    assert localized["lang"] == "zh"
    assert localized["detail"] == {
        "text": f"无法对申报 {a}（材料评审）执行「入围现场评审」",
        "msgid": "cannot %(trigger)s application %(application)s (%(state)s)",
        "params": {"trigger": "shortlist", "application": a, "state": "document_review"}}
    texts = [p["text"] for p in localized["problems"]]
    assert texts and all("评分表尚未提交" in t for t in texts)
    english = api["admin"].post(f"/api/applications/{a}/transitions",
                                json={"trigger": "shortlist"},
                                headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert english["localized"]["lang"] == "en"
    assert [p["text"] for p in english["localized"]["problems"]] == english["problems"]


def test_malformed_input_is_refused_in_the_pages_language(
        office: tuple[TestClient, str]) -> None:
    client, _ = office
    page = client.get("/admin/cases/not-a-number")
    assert page.status_code == 422
    assert "提交的内容有误" in page.text and "application_id：应为整数" in page.text
    client.cookies.set("lang", "en")
    english = client.get("/admin/cases/not-a-number").text
    assert "the request is malformed" in english
    assert "Input should be a valid integer" in english


def test_the_api_refuses_malformed_input_in_english_with_the_msgids(
        api: dict[str, TestClient]) -> None:
    refused = api["admin"].get("/api/applications/not-a-number")
    assert refused.status_code == 422
    answer = refused.json()
    assert answer["detail"] == "the request is malformed"
    assert answer["problems"] == [
        "path.application_id: Input should be a valid integer, unable to parse string as "
        "an integer"]
    problem = answer["localized"]["problems"][0]
    assert problem["msgid"] == ("%(field)s: Input should be a valid integer, unable to "
                                "parse string as an integer")
    assert problem["text"] == "path.application_id：应为整数"
