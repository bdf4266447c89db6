"""Fault: the database connection is lost, and the database is unreachable for a while.

Against the real PostgreSQL: the server ends every session of the test's database
(``pg_terminate_backend``, as a restart or failover does), and for an outage refuses
new ones (``ALLOW_CONNECTIONS false``). The same process (the app's ``Database``) and
the same Celery worker go on without a restart: the pool checks a connection before
handing it out (``pool_pre_ping``), a unit of work cut in the middle rolls back whole
and a task cut in the middle is retried with back-off until the database is back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from mqa_workflow.accounts.models import Role, User
from mqa_workflow.applications.models import Application
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.config import Settings
from mqa_workflow.db import Database
from mqa_workflow.notifications.models import Notification
from mqa_workflow.outbox.models import ProcessedTask
from mqa_workflow.states.engine import advance
from mqa_workflow.worker.celery_app import make_celery
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.services import RedisServer, free_port, start_worker, stop, wait_for

pytestmark = pytest.mark.postgres


class Server:
    """The PostgreSQL server as its operator sees it, for one database."""

    def __init__(self, database_url: str) -> None:
        self.name = make_url(database_url).database
        self.admin: Engine = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")

    def sql(self, statement: str) -> list[object]:
        with self.admin.connect() as connection:
            result = connection.execute(text(statement), {"db": self.name})
            return list(result.scalars()) if result.returns_rows else []

    def terminate_sessions(self, *, waiting_only: bool = False) -> int:
        """End the database's sessions and wait (up to 5 s each) until their processes are
        gone, so the clients' sockets are closed when this returns: on a loaded machine a
        backend still exiting would look alive to the pool for a moment."""
        waiting = " AND wait_event_type = 'Lock'" if waiting_only else ""
        return len(self.sql("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                            f"WHERE datname = :db AND pid <> pg_backend_pid(){waiting}"))

    def sessions(self, *, waiting_only: bool = False) -> int:
        waiting = " AND wait_event_type = 'Lock'" if waiting_only else ""
        return len(self.sql(f"SELECT pid FROM pg_stat_activity WHERE datname = :db{waiting}"))

    def go_down(self, *, waiting_only: bool = False) -> None:
        """Refuse new sessions and end the current ones (only those waiting on a lock)."""
        self.sql(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS false")
        self.terminate_sessions(waiting_only=waiting_only)

    def come_back(self) -> None:
        self.sql(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS true")


@pytest.fixture
def server(pg_database: Database) -> Iterator[Server]:
    server = Server(pg_database.url)
    yield server
    server.come_back()  # whatever the test did, later tests need their database
    server.admin.dispose()


def _case(database: Database) -> tuple[int, int]:
    with database.session() as session:
        admin = factories.user(session)
        application = factories.application(session, state="submitted")
        factories.user(session, Role.APPLICANT_CONTACT, organization=application.organization)
        return application.id, admin.id


def _begin_check(database: Database, application_id: int, admin_id: int) -> None:
    with database.session() as session:
        advance(session, application_id, "begin_eligibility_check",
                session.get(User, admin_id))


def _state(database: Database, application_id: int) -> str:
    with database.session() as session:
        return session.get(Application, application_id).state


def test_the_app_recovers_from_lost_connections_and_an_outage_without_a_restart(
    pg_database: Database, server: Server,
) -> None:
    application_id, admin_id = _case(pg_database)
    assert pg_database.engine.pool.checkedin() >= 1  # a pooled connection, soon a dead one
    assert server.terminate_sessions() >= 1
    assert _state(pg_database, application_id) == "submitted"  # pre-ping replaced it

    lost_mid_way = pytest.raises(OperationalError)  # lost in the middle of a unit of work
    with lost_mid_way, pg_database.session() as session:
        application = session.get(Application, application_id)
        server.terminate_sessions()
        advance(session, application.id, "begin_eligibility_check",
                session.get(User, admin_id))

    server.go_down()
    with pytest.raises(OperationalError):
        _begin_check(pg_database, application_id, admin_id)
    server.come_back()

    assert _state(pg_database, application_id) == "submitted"  # nothing half-written
    _begin_check(pg_database, application_id, admin_id)  # the same Database object
    assert _state(pg_database, application_id) == "eligibility_check"
    with pg_database.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 1


@pytest.mark.redis
def test_a_worker_rides_out_lost_connections_and_an_outage_without_a_restart(
    pg_database: Database, server: Server, tmp_path: Path,
) -> None:
    application_id, _ = _case(pg_database)
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    settings = Settings(database_url=pg_database.url, broker_url=redis.url,
                        result_backend=redis.url)
    celery = make_celery(settings)
    payload = {"application_id": application_id, "trigger": "submit", "from_state": "draft",
               "to_state": "submitted"}

    def run(key: str) -> object:
        return celery.send_task("notifications.state_changed",
                                kwargs={"payload": payload, "idempotency_key": key})

    log = tmp_path / "worker.log"
    worker = start_worker(pg_database.url, redis.url, log)
    try:
        assert run("warm").get(timeout=45) is True  # the worker now holds a connection
        server.terminate_sessions()
        assert run("after-terminate").get(timeout=30) is True  # pre-ping, first attempt

        with pg_database.engine.connect() as locker:  # catch the next task mid-transaction
            locker.execute(text("LOCK TABLE notifications IN EXCLUSIVE MODE"))
            cut = run("cut-mid-task")
            wait_for(lambda: server.sessions(waiting_only=True) == 1, 30, "the task to wait")
            server.go_down(waiting_only=True)  # its session ends mid-INSERT; no new ones
            locker.rollback()
        server.terminate_sessions()  # and every other session: the database is away
        time.sleep(2)  # the task fails and is retried while the database stays away
        server.come_back()
        assert cut.get(timeout=40) is True  # retried with back-off, then done
        assert worker.poll() is None  # the same worker process throughout
    finally:
        stop(worker)
        redis.stop()

    with pg_database.session() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 3
        assert session.scalar(select(func.count()).select_from(ProcessedTask)) == 3
    retries = [line for line in log.read_text(errors="replace").splitlines()
               if "Retry in" in line]
    assert retries and all(cut.id in line for line in retries)  # only the cut task retried
