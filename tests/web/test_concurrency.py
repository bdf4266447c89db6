"""50 concurrent clients advancing and scoring the same applications through the HTTP
API, on the real PostgreSQL: no lost update, every conflict reported, no 500 (a busy
server answers 503 with Retry-After, which the clients honour), and the audit chain
verifies afterwards."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.audit.service import verify_chain
from mqa_workflow.db import Database
from mqa_workflow.reviews.assignment_service import assign_stage
from mqa_workflow.reviews.models import PoolReviewer, ReviewAssignment, ReviewStage, ScoreSheet
from mqa_workflow.reviews.statement import confirm_no_conflict
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.web.security import set_password
from tests import factories
from tests.services import web_server

pytestmark = pytest.mark.postgres
PASSWORD = "concurrency-test-password"
CLIENTS = 50


@pytest.fixture
def server(pg_database: Database) -> Iterator[str]:
    with web_server(pg_database) as base:
        yield base


def _token(base: str, email: str) -> str:
    response = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD},
                          timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


class Polite(httpx.Client):
    """A client that waits as long as a busy server's Retry-After says, then asks again."""

    busy = 0  # 503s seen by all clients

    def send(self, request: httpx.Request, **kwargs: object) -> httpx.Response:
        for _ in range(200):
            response = super().send(request, **kwargs)  # type: ignore[arg-type]
            if response.status_code != 503:
                return response
            Polite.busy += 1
            time.sleep(float(response.headers["Retry-After"]) * random.uniform(0.2, 1.0))
        return response


def _world(database: Database) -> tuple[list[int], list[str], list[int]]:
    """10 submitted applications, 5 administrators; one application in document review
    with 3 reviewers assigned."""
    with database.session() as session:
        cycle = factories.cycle(session, {"reviewers_per_application": 3})
        submitted = [factories.application(session, state="submitted", award_cycle=cycle).id
                     for _ in range(10)]
        admins = []
        for _ in range(5):
            admin = factories.user(session, Role.ADMINISTRATOR)
            set_password(session, admin, PASSWORD)
            admins.append(admin.email)
        reviewed = factories.application(session, state="document_review", award_cycle=cycle)
        for n in range(3):
            reviewer = factories.user(session, Role.REVIEWER)
            set_password(session, reviewer, PASSWORD)
            session.add(PoolReviewer(user_id=reviewer.id, classes=["economic"],
                                     industries=["电子信息"], capacity=5, may_lead=n == 0))
        session.flush()
        assign_stage(session, [reviewed.id], ReviewStage.DOCUMENT_REVIEW)
        assignments = list(session.scalars(select(ReviewAssignment.id).where(
            ReviewAssignment.application_id == reviewed.id).order_by(ReviewAssignment.id)))
        for assignment_id in assignments:  # each has confirmed the no-conflict statement
            confirm_no_conflict(session, session.get(ReviewAssignment, assignment_id).reviewer,
                                reviewed.id)
    return submitted, admins, assignments


def test_fifty_clients_advancing_and_scoring_lose_nothing(
    pg_database: Database, server: str
) -> None:
    submitted, admins, assignments = _world(pg_database)
    admin_tokens = [_token(server, admins[n % len(admins)]) for n in range(CLIENTS // 2)]
    reviewer_of = {}
    with pg_database.session() as session:
        for assignment_id in assignments:
            reviewer_of[assignment_id] = session.get(ReviewAssignment, assignment_id).reviewer.email
    sheet_clients = [(assignments[n % 3], _token(server, reviewer_of[assignments[n % 3]]))
                     for n in range(CLIENTS - len(admin_tokens))]
    codes = [item.code for item in load_standard("economic").scored_items()]
    results: list[tuple[str, int, object]] = []
    lock = threading.Lock()

    def advance(token: str) -> None:
        with Polite(base_url=server, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            for application_id in submitted:
                version = client.get(f"/api/applications/{application_id}").json()["version"]
                answer = client.post(f"/api/applications/{application_id}/transitions",
                                     json={"trigger": "begin_eligibility_check",
                                           "version": version})
                with lock:
                    results.append(("advance", answer.status_code, application_id))

    def score(client_number: int, assignment_id: int, token: str) -> None:
        code = codes[client_number % len(codes)]
        value = 5 * (client_number % 21)
        with Polite(base_url=server, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            answer = client.put(f"/api/assignments/{assignment_id}/sheet",
                                json={"scores": {code: value}})
            with lock:
                results.append(("score", answer.status_code,
                                (assignment_id, code, value, answer.text)))

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        jobs = [pool.submit(advance, token) for token in admin_tokens]
        jobs += [pool.submit(score, n, a, t) for n, (a, t) in enumerate(sheet_clients)]
        for job in jobs:
            job.result()

    statuses = Counter(status for _, status, _ in results)
    print(f"{CLIENTS} clients: {dict(statuses)}, {Polite.busy} answers 503 retried")
    assert not [s for s in statuses if s >= 500], (statuses, [
        r for r in results if r[1] >= 500])
    assert set(statuses) <= {200, 409}, statuses
    won = Counter(app for kind, status, app in results if kind == "advance" and status == 200)
    assert won == Counter(submitted)  # exactly one winner per application; the rest 409
    with pg_database.session() as session:
        states = set(session.scalars(select(Application.state).where(
            Application.id.in_(submitted))))
        assert states == {"eligibility_check"}
        moves = session.scalars(select(AuditRecord).where(
            AuditRecord.application_id.in_(submitted))).all()
        assert len(moves) == len(submitted)  # no half-written or duplicate transition
        # No lost update: every accepted draft's value is in the stored sheet, unless a
        # later accepted draft for the same item replaced it.
        accepted = [detail for kind, status, detail in results if kind == "score"
                    and status == 200]
        assert accepted, "no score sheet write succeeded"
        for assignment_id in assignments:
            sheet = session.scalar(select(ScoreSheet).where(
                ScoreSheet.assignment_id == assignment_id))
            mine = [(code, value) for a, code, value, _ in accepted if a == assignment_id]
            if not mine:
                continue
            assert sheet is not None
            for code, _ in mine:
                assert code in sheet.percentages
                assert (code, sheet.percentages[code]) in mine
        assert verify_chain(session)[1] is None
