"""Database plumbing shared by every domain: the declarative base, engines, sessions.

The same models run unchanged on SQLite (the embedded default) and PostgreSQL.
The schema is created and upgraded only by the Alembic migrations in
``mqa_workflow/migrations``; nothing here calls ``create_all``.
"""

from __future__ import annotations

import select as selectors
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, String, create_engine, event, select
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from mqa_workflow.config import get_settings
from mqa_workflow.errors import NotFoundError

# Stable constraint names, so migrations can refer to (and drop) them on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no time zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; store aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A ``StrEnum`` stored as its plain string value (``VARCHAR(length)``).

    The column stays the string the migrations create (no database enum type, no
    migration); Python sees the member. Binding accepts a member or its value; a
    value outside the enum is refused on the way in and on the way out, so a typo
    or a retired state fails loudly instead of comparing unequal everywhere.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def member(self, value: str) -> E:
        """The member for ``value`` (a member or its value); a clear error for any other."""
        try:
            return self.enum(value)
        except ValueError:
            known = ", ".join(member.value for member in self.enum)
            raise ValueError(
                f"{value!r} is not a {self.enum.__name__} (known: {known})") from None

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        return None if value is None else self.member(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        return None if value is None else self.member(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


M = TypeVar("M", bound=Base)


def get_by_id_or(session: Session, model: type[M], key: Any, ref: str | int, *,
                 missing: str, normalise: Callable[[str], str] = str) -> M:
    """The row of ``model`` a person names: by id when ``ref`` is all digits, else by
    ``key`` (a column of ``model``) equal to ``normalise(ref)``; NotFoundError with
    ``missing`` (``{ref}`` in it stands for what was asked) when there is none."""
    text = str(ref).strip()
    row = session.scalar(select(model).where(
        model.id == int(text) if text.isdigit() else key == normalise(text)  # type: ignore[attr-defined]
    ))
    if row is None:
        raise NotFoundError(missing.format(ref=repr(text)))
    return row


@event.listens_for(Base, "mapper_configured", propagate=True)
def _coerce_enum_attributes(mapper: Any, class_: type) -> None:
    """Make an assigned value of a ``StrEnumType`` column the member at once, not only
    after a reload: ``Application(state="draft").state`` is ``ApplicationState.DRAFT``
    (the state machine tells Enum states from strings), and a wrong value fails where
    it is written rather than at the flush."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType):
            event.listen(getattr(class_, prop.key), "set", _coercer(column_type), retval=True)


def _coercer(column_type: StrEnumType[Any]) -> Any:
    def coerce(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        return None if value is None else column_type.member(value)
    return coerce


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a generous busy timeout.

    The pool's size and timeout are settings: the web server bounds its requests in
    flight to what the pool can serve (``MQA_WEB_MAX_IN_FLIGHT``).
    """
    settings = get_settings()
    pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout}
    if url.startswith("sqlite"):
        if ":memory:" in url or url.rstrip("/") == "sqlite:":
            pool = {}  # one shared in-memory connection, no queue pool
        engine = create_engine(url, connect_args={"timeout": 30}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so a
        # read-then-write transaction holds its snapshot (see SQLAlchemy's pysqlite notes).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    engine = create_engine(url, pool_recycle=settings.db_pool_recycle, **pool)
    event.listen(engine, "checkout", _discard_if_closed_by_server)
    return engine


def _discard_if_closed_by_server(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has ended, without a round trip.

    An idle connection has nothing to read; a server that ends the session (restart,
    failover, ``pg_terminate_backend``) sends its last message and closes the socket,
    which makes the socket readable. The pool then discards it and connects anew
    (``DisconnectionError``), as a pre-ping would, at the cost of one ``poll``
    instead of a ``SELECT 1`` round trip on every checkout.
    """
    if not record.info.get("checked_out_before"):
        # A fresh connection may still have handshake data waiting (TLS session
        # tickets); its first query reads them. Only reused connections are looked at.
        record.info["checked_out_before"] = True
        return
    try:
        descriptor = dbapi_connection.fileno()
    except Exception as error:  # already closed on our side
        raise DisconnectionError("the connection is closed") from error
    poller = selectors.poll()
    poller.register(descriptor, selectors.POLLIN | selectors.POLLPRI)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection while it was idle")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class Database:
    """An engine and its session factory: one per database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"


@lru_cache(maxsize=8)
def get_database(url: str | None = None) -> Database:
    return Database(url or get_settings().database_url)
