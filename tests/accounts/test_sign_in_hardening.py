"""Sign-in hardening: throttling per account and per address (429 with Retry-After,
state in the database, audited unlocks by CLI and API), the password policy, and
sessions (listed, ended on a password change, "log out everywhere")."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from mqa_workflow import clock
from mqa_workflow.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    common_passwords,
    password_problems,
)
from mqa_workflow.accounts.sign_in import SignInThrottle
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.config import get_settings
from mqa_workflow.db import Database, get_database
from tests.e2e.world import PASSWORD, World, bearer


@pytest.fixture
def to_review() -> bool:
    return False  # sign-in needs only the people


def login(client: TestClient, email: str, password: str = PASSWORD) -> object:
    return client.post("/api/auth/login", json={"email": email, "password": password})


# --- throttling ------------------------------------------------------------------------

def test_repeated_wrong_passwords_lock_the_account_even_against_the_right_one(
        world: World, client: TestClient) -> None:
    email = world.emails["reviewer"]
    answers = [login(client, email, f"wrong-guess-{n}").status_code for n in range(40)]
    assert answers[:5] == [401] * 5  # five free attempts …
    assert set(answers[5:]) == {429}  # … then locked, the guesses never checked
    locked = login(client, email)  # the right password, too
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 30
    assert "too many failed sign-ins" in locked.json()["detail"]
    with world.database.session() as session:
        row = session.get(SignInThrottle, f"account:{email}")
        assert row is not None and row.failures == 5  # refused attempts are not counted


def test_the_lock_doubles_with_each_further_failure_and_lapses(
        world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    email = world.emails["reviewer"]
    start = clock.now()  # the throttle's clock stands still: argon2 on a busy machine is slow
    monkeypatch.setattr("mqa_workflow.web.throttle.now", lambda: start)
    for n in range(5):
        login(client, email, f"wrong-{n}")
    first = int(login(client, email).headers["Retry-After"])
    monkeypatch.setattr("mqa_workflow.web.throttle.now", lambda: start + timedelta(seconds=31))
    assert login(client, email, "wrong-again").status_code == 401  # lock over: one try
    second = int(login(client, email).headers["Retry-After"])
    assert first == 30 and 55 <= second <= 60  # twice as long
    monkeypatch.setattr("mqa_workflow.web.throttle.now", lambda: start + timedelta(seconds=92))
    assert login(client, email).status_code == 200  # the right one once the lock lapsed
    with world.database.session() as session:  # and a success starts the count again
        assert session.get(SignInThrottle, f"account:{email}") is None


def test_one_address_guessing_many_accounts_is_locked(world: World, client: TestClient
                                                      ) -> None:
    # The test client's address is "testclient"; every guess below comes from it.
    emails = [f"nobody{n}@example.cn" for n in range(25)]
    answers = [login(client, email, "wrong-password-x").status_code for email in emails]
    assert answers[:20] == [401] * 20 and set(answers[20:]) == {429}
    assert login(client, world.emails["admin"]).status_code == 429  # the address is locked


def test_an_administrator_unlocks_by_api_and_it_is_audited(world: World, client: TestClient
                                                           ) -> None:
    email = world.emails["reviewer"]
    admin = bearer(client, world.emails["admin"])
    for n in range(6):
        login(client, email, f"wrong-{n}")
    assert login(client, email).status_code == 429
    locks = client.get("/api/users/sign-in-locks", headers=admin).json()
    assert [lock["key"] for lock in locks] == [f"account:{email}"]
    reviewer = bearer(client, world.emails["reviewer2"])
    assert client.post("/api/users/sign-in-locks/unlock", json={"email": email},
                       headers=reviewer).status_code == 403  # not an administrator
    done = client.post("/api/users/sign-in-locks/unlock", json={"email": email},
                       headers=admin)
    assert done.status_code == 200 and done.json()["cleared"] == 1
    assert login(client, email).status_code == 200
    assert client.post("/api/users/sign-in-locks/unlock", json={},
                       headers=admin).status_code == 422
    with world.database.session() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.trigger == "unlock_sign_in")).one()
        assert record.actor == world.emails["admin"] and record.data["account"] == email


def test_mqa_user_unlock_lifts_a_lock_and_is_audited(mqa) -> None:  # type: ignore[no-untyped-def]
    from mqa_workflow.web import throttle

    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    mqa("user", "add", "--name", "专家", "--email", "expert@office.sz", "--role", "reviewer")
    database = get_database(get_settings().database_url)
    for _ in range(20):
        throttle.begin_attempt(database, "expert@office.sz", "10.0.0.9")
        throttle.record_failure(database, "10.0.0.9")
    with database.session() as session:
        assert throttle.locked_for(session, "expert@office.sz", "10.0.0.9") > 0
    assert "may not unlock" in mqa("user", "unlock", "admin@office.sz", "--as",
                                   "expert@office.sz", code=6)
    assert "say what to unlock" in mqa("user", "unlock", code=2)
    out = mqa("user", "unlock", "expert@office.sz", "--address", "10.0.0.9")
    assert "2 lock record(s) cleared" in out
    with database.session() as session:
        assert throttle.locked_for(session, "expert@office.sz", "10.0.0.9") == 0
        assert session.scalar(select(AuditRecord.actor).where(
            AuditRecord.trigger == "unlock_sign_in")) == "admin@office.sz"


def test_the_sign_in_page_says_how_long_to_wait(world: World, client: TestClient) -> None:
    email = world.emails["applicant"]
    for n in range(5):
        client.post("/login", data={"email": email, "password": f"wrong-{n}"},
                    follow_redirects=False)
    page = client.post("/login", data={"email": email, "password": PASSWORD},
                       follow_redirects=False)
    assert page.status_code == 429 and page.headers["Retry-After"]
    assert "登录失败次数过多" in page.text


# --- the password policy -----------------------------------------------------------------

def test_short_common_and_repetitive_passwords_are_refused(world: World, client: TestClient
                                                           ) -> None:
    headers = bearer(client, world.emails["reviewer"])
    for weak, why in (("aaaaaaaaaa", "at least 12"), ("aaaaaaaaaaaaaaaa", "different"),
                      ("LeaveMeAlone", "common passwords"),
                      ("1qaz2wsx3edc", "common passwords")):
        answer = client.post("/api/auth/password", headers=headers, json={
            "current_password": PASSWORD, "new_password": weak})
        assert answer.status_code == 422, weak
        assert why in " ".join(answer.json()["problems"]), (weak, answer.json())
    assert client.post("/api/auth/password", headers=headers, json={
        "current_password": PASSWORD, "new_password": "松山湖-评审-2026-春"}).status_code == 200


def test_the_common_password_list_ships_with_the_package() -> None:
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"password", "123456", "leavemealone", "qazwsxedcrfv"} <= listed


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_no_accepted_password_is_short_or_common(password: str) -> None:
    if not password_problems(password):
        assert len(password) >= MIN_PASSWORD_LENGTH
        assert password.strip().lower() not in common_passwords()
        assert len(set(password.lower())) >= 5


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(common_passwords())), st.booleans())
def test_every_listed_password_is_refused_in_any_case(common: str, upper: bool) -> None:
    assert password_problems(common.upper() if upper else common)


# --- sessions ------------------------------------------------------------------------

def test_a_person_lists_their_sessions_and_only_their_own(world: World, client: TestClient
                                                          ) -> None:
    email = world.emails["reviewer"]
    first = bearer(client, email)
    client.post("/api/auth/login", json={"email": email, "password": PASSWORD},
                headers={"User-Agent": "Firefox/140 on the office PC"})
    client.cookies.clear()
    bearer(client, world.emails["reviewer2"])
    mine = client.get("/api/auth/sessions", headers=first).json()
    assert len(mine) == 2
    assert [s["current"] for s in mine].count(True) == 1
    assert any(s["user_agent"] == "Firefox/140 on the office PC" for s in mine)
    assert all(s["client_address"] == "testclient" for s in mine)
    other = next(s for s in mine if not s["current"])
    assert client.delete(f"/api/auth/sessions/{other['id']}", headers=first).status_code == 200
    assert len(client.get("/api/auth/sessions", headers=first).json()) == 1
    assert client.delete(f"/api/auth/sessions/{other['id']}",
                         headers=first).status_code == 404


def test_changing_a_password_ends_every_other_session(world: World, client: TestClient
                                                      ) -> None:
    email = world.emails["reviewer"]
    here, elsewhere = bearer(client, email), bearer(client, email)
    changed = client.post("/api/auth/password", headers=here, json={
        "current_password": PASSWORD, "new_password": "新的口令-long-enough-9"})
    assert changed.status_code == 200 and changed.json()["other_sessions_ended"] == 1
    assert client.get("/api/auth/me", headers=here).status_code == 200  # this one stays
    assert client.get("/api/auth/me", headers=elsewhere).status_code == 401


def test_an_administrator_setting_a_password_ends_all_of_that_persons_sessions(
        world: World, client: TestClient) -> None:
    admin = bearer(client, world.emails["admin"])
    theirs = bearer(client, world.emails["reviewer"])
    with world.database.session() as session:
        from mqa_workflow.accounts.service import get_user

        reviewer_id = get_user(session, world.emails["reviewer"]).id
    done = client.put(f"/api/users/{reviewer_id}/password", headers=admin,
                      json={"password": "reset-by-the-office-77"})
    assert done.status_code == 200 and done.json()["sessions_ended"] == 1
    assert client.get("/api/auth/me", headers=theirs).status_code == 401


def test_log_out_everywhere_ends_every_session_and_is_audited(world: World, client: TestClient
                                                              ) -> None:
    email = world.emails["committee"]
    sessions = [bearer(client, email) for _ in range(3)]
    done = client.post("/api/auth/logout-everywhere", headers=sessions[0])
    assert done.status_code == 200 and done.json()["sessions_ended"] == 3
    assert all(client.get("/api/auth/me", headers=h).status_code == 401 for h in sessions)
    with world.database.session() as session:
        assert session.scalar(select(AuditRecord.actor).where(
            AuditRecord.trigger == "end_all_sessions")) == email


def test_lapsed_counts_are_forgotten_so_made_up_accounts_leave_nothing(
        sqlite_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from mqa_workflow.web import throttle

    throttle.begin_attempt(sqlite_database, "made-up-1@example.cn", "10.0.0.1")
    throttle.record_failure(sqlite_database, "10.0.0.1")
    later = clock.now() + timedelta(hours=2)
    monkeypatch.setattr("mqa_workflow.web.throttle.now", lambda: later)
    throttle.begin_attempt(sqlite_database, "made-up-2@example.cn", "10.0.0.2")
    throttle.record_failure(sqlite_database, "10.0.0.2")
    with sqlite_database.session() as session:
        keys = set(session.scalars(select(SignInThrottle.key)))
    assert keys == {"account:made-up-2@example.cn", "address:10.0.0.2"}


def test_guesses_sent_in_parallel_cannot_outrun_the_count(world: World) -> None:
    import httpx

    from tests.services import web_server

    email = world.emails["reviewer"]
    with web_server(world.database) as base, ThreadPoolExecutor(max_workers=30) as pool:
        def guess(n: int) -> int:
            for _ in range(20):  # a busy server (503) is asked again
                answer = httpx.post(f"{base}/api/auth/login", timeout=60, json={
                    "email": email, "password": f"parallel-guess-{n}"})
                if answer.status_code != 503:
                    return answer.status_code
                time.sleep(0.2)
            return 503

        answers = Counter(pool.map(guess, range(30)))
    assert answers[401] <= 5 and answers[429] >= 25, answers


@given(st.lists(st.integers(min_value=0, max_value=200), min_size=2, max_size=2))
def test_locks_grow_with_failures_and_never_pass_the_cap(failures: list[int]) -> None:
    from mqa_workflow.web.throttle import _lock_after, policies

    policy = policies()["account"]
    moment = clock.now()
    fewer, more = sorted(failures)
    lock_fewer, lock_more = (_lock_after(fewer, policy, moment),
                             _lock_after(more, policy, moment))
    assert (lock_fewer is None) == (fewer < policy.free)
    if lock_fewer is not None:
        assert lock_more is not None and lock_fewer <= lock_more
    for lock in (lock_fewer, lock_more):
        assert lock is None or policy.base <= lock - moment <= policy.cap
