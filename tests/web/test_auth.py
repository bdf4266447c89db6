"""Sign-in: argon2 hashes, sessions and tokens, CSRF on cookie sessions, sign-out."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.accounts.sign_in import Credential
from mqa_workflow.applicants.uscc import make_uscc
from tests.e2e.world import PASSWORD, World
from tests.passwords import APPLICATION_HASHER


@pytest.fixture
def to_review() -> bool:
    return False  # sign-in needs only the people


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def test_passwords_are_stored_as_argon2id_hashes_only(world: World) -> None:
    with world.database.session() as session:
        hashes = list(session.scalars(select(Credential.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_the_application_hashes_at_argon2s_recommended_cost() -> None:
    # The tests swap in a cheap hasher (tests/passwords.py); the application's is not.
    recommended = PasswordHasher()
    assert APPLICATION_HASHER.type is Type.ID
    assert APPLICATION_HASHER.time_cost >= recommended.time_cost
    assert APPLICATION_HASHER.memory_cost >= recommended.memory_cost
    assert APPLICATION_HASHER.parallelism >= recommended.parallelism


def test_a_wrong_password_or_unknown_email_is_one_and_the_same_401(client: TestClient,
                                                                    world: World) -> None:
    wrong = client.post("/api/auth/login",
                        json={"email": world.emails["admin"], "password": "nope-nope-nope"})
    unknown = client.post("/api/auth/login",
                          json={"email": "nobody@x.cn", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong e-mail or password",
                                              "problems": []}


def test_a_bearer_token_signs_requests_without_csrf(client: TestClient, world: World) -> None:
    token = sign_in(client, world.emails["admin"])["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=headers).json()["email"] == world.emails["admin"]
    created = client.post("/api/applicants", headers=headers, json={
        "name": "深圳丙公司", "uscc": make_uscc("91440300MA5F00303"), "industry": "电子信息",
        "district": "福田区"})
    assert created.status_code == 201, created.text


def test_a_cookie_session_needs_the_csrf_token_on_unsafe_requests(client: TestClient,
                                                                   world: World) -> None:
    csrf = sign_in(client, world.emails["applicant"])["csrf_token"]
    body = {"profile": "新的概述"}
    path = f"/api/applications/{world.application_id}/answers"
    refused = client.put(path, json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert client.put(path, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.put(path, json=body, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get(f"/api/applications/{world.application_id}").json()["profile"] == "新的概述"


def test_signing_out_ends_the_session(client: TestClient, world: World) -> None:
    signed = sign_in(client, world.emails["admin"])
    headers = {"Authorization": f"Bearer {signed['token']}"}
    assert client.post("/api/auth/logout", headers=headers).status_code == 200
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_anonymous_requests_get_401_on_every_endpoint_but_sign_in_and_standards(
        client: TestClient) -> None:
    open_paths = {"/api/auth/login", "/api/standards", "/api/standards/{class_id}"}
    spec = client.get("/api/openapi.json").json()
    checked = 0
    for path, operations in spec["paths"].items():
        if path in open_paths:
            continue
        concrete = path.replace("{stage}", "document_review")
        for part in ("application_id", "cycle_id", "user_id", "organization_id",
                     "document_id", "assignment_id", "notification_id", "message_id"):
            concrete = concrete.replace("{" + part + "}", "1")
        for method in operations:
            response = client.request(method.upper(), concrete)
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["detail"].startswith("sign in first")
            checked += 1
    assert checked > 40


def test_changing_your_password_needs_the_current_one(client: TestClient, world: World
                                                       ) -> None:
    token = sign_in(client, world.emails["reviewer"])["token"]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    wrong = client.post("/api/auth/password", headers=headers,
                        json={"current_password": "guess-guess", "new_password": "x" * 12})
    assert wrong.status_code == 401
    short = client.post("/api/auth/password", headers=headers,
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    assert "at least 12 characters" in " ".join(short.json()["problems"])
    assert client.post("/api/auth/password", headers=headers, json={
        "current_password": PASSWORD, "new_password": "a-new-long-secret"}).status_code == 200
    sign_in(client, world.emails["reviewer"], "a-new-long-secret")
