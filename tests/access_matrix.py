"""The role × route matrix's machinery: the world it runs in, the requests it sends.

Every route of the application (the OpenAPI document's paths and the page routes) is
tried by every kind of person: nobody signed in, and each role of the award, including
the relations that matter (a reviewer with a conflict on the application, an applicant
contact of another organization, a committee member recused from it). The expected
answers stand in one table in ``tests/web/test_access_matrix.py``.

A request that is allowed to write runs on a copy of the world's database, so every
cell starts from the same world and no cell's write changes another cell's answer.
Refused requests run on the world itself: a refusal must change nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.accounts.service import add_user, get_user
from mqa_workflow.db import Database
from mqa_workflow.reviews.models import ConflictOfInterest, ReviewAssignment
from mqa_workflow.web.app import create_app
from mqa_workflow.web.security import set_password
from tests.e2e.world import PASSWORD, World, build, to_document_review
from tests.migrated import migrated_sqlite

ANONYMOUS = "anonymous"
RECUSED = "recused"  # a committee member with a conflict of interest on application A
ROLES = (ANONYMOUS, "admin", "applicant", "other_applicant", "reviewer", "conflicted",
         "committee", RECUSED, "operator")
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI document."""
    return {(method.upper(), "/api" + path.removeprefix("/api"))
            for path, operations in app.openapi()["paths"].items()
            for method in operations if method.upper() != "HEAD"}


def page_routes() -> set[tuple[str, str]]:
    """(method, path) of every page route, through the routers the pages include."""
    from mqa_workflow.web.pages import router

    found: set[tuple[str, str]] = set()

    def walk(node: Any, prefix: str) -> None:
        for route in node.routes:
            if hasattr(route, "original_router"):  # a router included in this one
                walk(route.original_router, prefix + route.include_context.prefix)
            else:
                found.update((m, prefix + route.path) for m in route.methods if m != "HEAD")

    walk(router, "")
    return found


@dataclass
class MatrixWorld:
    world: World
    folder: Path
    tokens: dict[str, str]
    ids: dict[str, int | str]
    app: FastAPI
    clients: dict[str, TestClient] = field(default_factory=dict)

    def fill(self, path: str) -> str:
        """The route's path with the world's ids in place of its parameters."""
        return path.format(stage="document_review", code="zh", class_id="economic",
                           **self.ids)

    @contextmanager
    def client(self, role: str, *, fresh: bool) -> Iterator[TestClient]:
        """A client for ``role``; ``fresh``: on a copy of the world's database."""
        if not fresh:
            yield self._shared(role)
            return
        copy = self.folder / f"copy-{role}.sqlite3"
        # SQLite's backup API: a consistent copy, including what still sits in the WAL.
        with sqlite3.connect(self.folder / "matrix.sqlite3") as source, \
                sqlite3.connect(copy) as target:
            source.backup(target)
        # and its audit key and checkpoints, which live beside the data, not in it
        shutil.copytree(self.folder / "matrix.sqlite3.audit", Path(f"{copy}.audit"),
                        dirs_exist_ok=True)
        database = Database(f"sqlite:///{copy}")
        with TestClient(create_app(database), follow_redirects=False) as client:
            self._sign(client, role)
            yield client
        database.engine.dispose()
        copy.unlink()
        shutil.rmtree(f"{copy}.audit")

    def _shared(self, role: str) -> TestClient:
        if role not in self.clients:
            client = TestClient(self.app, follow_redirects=False)
            self._sign(client, role)
            self.clients[role] = client
        return self.clients[role]

    def _sign(self, client: TestClient, role: str) -> None:
        if role != ANONYMOUS:
            client.headers["Authorization"] = f"Bearer {self.tokens[role]}"

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        self.world.database.engine.dispose()


def build_matrix_world(folder: Path) -> MatrixWorld:
    url = migrated_sqlite(folder / 'matrix.sqlite3')
    world = build(Database(url), to_review=False)
    with world.database.session() as session:
        recused = add_user(session, name="委员二", email="c2@committee.cn",
                           roles=(Role.COMMITTEE_MEMBER,))
        set_password(session, recused, PASSWORD)
        session.add(ConflictOfInterest(user_id=recused.id, application_id=world.application_id,
                                       rule="self_declared", reason="曾任该单位顾问"))
        world.emails[RECUSED] = recused.email
    ids = {"application_id": world.application_id, "cycle_id": world.cycle_id,
           "organization_id": world.organization_id, "user_id": 0, "document_id": 0,
           "message_id": 1, "notification_id": 1, "session_id": "",
           "kind": "reviewers", "token": "no-such-invitation",
           "objection_id": 0}  # no objection: the plain cycle runs no public notice
    tokens = {}
    with TestClient(create_app(world.database)) as client:
        for role in ROLES[1:]:
            answer = client.post("/api/auth/login", json={"email": world.emails[role],
                                                          "password": PASSWORD})
            assert answer.status_code == 200, (role, answer.text)
            tokens[role] = answer.json()["token"]
            client.cookies.clear()
        upload = client.post(f"/api/applications/{world.application_id}/documents",
                             headers={"Authorization": f"Bearer {tokens['applicant']}"},
                             files={"file": ("营业执照.pdf", b"%PDF-1.4 matrix",
                                             "application/pdf")})
        assert upload.status_code in (200, 201), upload.text
        ids["document_id"] = upload.json()["id"]
        mine = client.get("/api/auth/sessions",
                          headers={"Authorization": f"Bearer {tokens['applicant']}"})
        ids["session_id"] = mine.json()[0]["id"]  # the applicant's own session
    to_document_review(world)  # submitted, found eligible, its team assigned
    with world.database.session() as session:
        reviewer = get_user(session, world.emails["reviewer"])
        ids["assignment_id"] = session.scalar(select(ReviewAssignment.id).where(
            ReviewAssignment.reviewer_id == reviewer.id)) or 0
        ids["user_id"] = get_user(session, world.emails["reviewer"]).id
    return MatrixWorld(world, folder, tokens, ids, create_app(world.database))


def send(client: TestClient, method: str, path: str, body: Any) -> int:
    """One request as the route expects it: JSON to the API, a form to the pages."""
    if path.endswith("/documents") and method == "POST":
        answer = client.post(path, files={"file": ("章程.pdf", b"%PDF-1.4 matrix upload",
                                                    "application/pdf")})
    elif path.endswith("/import") and method == "POST":  # a bulk import: a file, no body
        answer = client.post(path, files={"file": ("回避信息.csv", b"email,industry\n",
                                                    "text/csv")})
    elif path.startswith("/api/") or method in SAFE:
        answer = client.request(method, path, json=body if method not in SAFE else None)
    else:
        answer = client.request(method, path, data=body or {})
    assert answer.status_code < 500, (method, path, answer.status_code, answer.text[:400])
    return answer.status_code
