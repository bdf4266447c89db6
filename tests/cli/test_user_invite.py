"""`mqa user invite`: the browser's invitation from the command line — a one-time link by
which the person sets their own password, audited, for administrators only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mqa_workflow.accounts.invitations import open_invitation
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.config import get_settings
from mqa_workflow.db import get_database
from mqa_workflow.errors import NotFoundError


def _people(mqa) -> None:
    mqa("db", "upgrade")
    mqa("user", "add", "--name", "管理员", "--email", "admin@office.sz", "--role",
        "administrator")
    mqa("user", "add", "--name", "王专家", "--email", "wang@pool.cn", "--role", "reviewer")


def _token(output: str, base: str) -> str:
    link = re.search(re.escape(base) + r"/invite/(\S+)$", output, re.M)
    assert link, output
    return link.group(1)


def test_the_printed_link_opens_the_persons_invitation_and_is_audited(mqa) -> None:
    _people(mqa)
    printed = mqa("user", "invite", "wang@pool.cn", "--url", "http://127.0.0.1:8000/")
    assert "王专家 <wang@pool.cn>" in printed and "Beijing time" in printed
    token = _token(printed, "http://127.0.0.1:8000")
    with get_database(get_settings().database_url).session() as session:
        _, person = open_invitation(session, token)
        assert person.email == "wang@pool.cn"
        record = session.scalar(select(AuditRecord).where(
            AuditRecord.trigger == "invite_user"))
        assert record is not None and record.actor == "admin@office.sz"
        assert record.data["user"] == "wang@pool.cn"


def test_a_new_invitation_withdraws_the_earlier_link(mqa) -> None:
    _people(mqa)
    first = _token(mqa("user", "invite", "wang@pool.cn", "--url", "http://x.cn"), "http://x.cn")
    second = _token(mqa("user", "invite", "wang@pool.cn", "--url", "http://x.cn"), "http://x.cn")
    with get_database(get_settings().database_url).session() as session:
        open_invitation(session, second)
        with pytest.raises(NotFoundError):
            open_invitation(session, first)


def test_only_an_administrator_invites_and_an_unknown_person_is_named(mqa) -> None:
    _people(mqa)
    refused = mqa("user", "invite", "wang@pool.cn", "--as", "wang@pool.cn", code=6)
    assert "administrator" in refused
    assert "nobody@pool.cn" in mqa("user", "invite", "nobody@pool.cn", code=2)
