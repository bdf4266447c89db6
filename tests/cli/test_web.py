"""``mqa user password`` and ``mqa serve`` from the command line."""

from __future__ import annotations

from mqa_workflow.config import get_settings
from mqa_workflow.db import get_database
from mqa_workflow.web.security import check_password


def test_mqa_user_password_stores_a_hash_the_web_sign_in_accepts(mqa) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    assert "12 characters" in mqa("user", "password", "admin@office.sz", "--password",
                                  "short", code=2)
    out = mqa("user", "password", "admin@office.sz", "--password", "a-long-password")
    assert "password set for admin@office.sz" in out
    with get_database(get_settings().database_url).session() as session:
        assert check_password(session, "admin@office.sz", "a-long-password") is not None
        assert check_password(session, "admin@office.sz", "wrong-password") is None


def test_mqa_serve_is_mounted_with_its_options(mqa) -> None:
    shown = mqa("serve", "--help")
    assert "--port" in shown and "--host" in shown and "--workers" in shown


def test_mqa_serve_hands_its_workers_to_uvicorn_and_refuses_them_with_reload(
        mqa, monkeypatch) -> None:
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    assert "2 process(es)" in mqa("serve", "--workers", "2", "--port", "8123")
    assert calls[0]["workers"] == 2 and calls[0]["port"] == 8123
    # every serving process answers with Nagle's algorithm off (web/serving.py)
    assert calls[0]["http"] == "mqa_workflow.web.serving:NoDelayHTTPProtocol"
    assert "--reload runs one process" in mqa("serve", "--reload", "--workers", "2", code=2)
    assert len(calls) == 1  # refused before starting anything
