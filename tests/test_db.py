"""Enum-typed columns (``db.StrEnumType``): members in Python, the same strings stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.db import Database, StrEnumType
from mqa_workflow.notifications.models import Delivery, DeliveryStatus
from mqa_workflow.reviews.models import AssignmentStatus, SheetStatus
from tests import factories


def test_a_state_is_stored_as_its_value_and_loads_as_the_member(database: Database) -> None:
    with database.session() as session:
        app_id = factories.application(session, state="document_review").id
    with database.session() as session:
        stored = session.execute(
            text("SELECT state FROM applications WHERE id = :id"), {"id": app_id}).scalar_one()
        loaded = session.get_one(Application, app_id).state
        found = session.scalars(select(Application.id).where(
            Application.state == ApplicationState.DOCUMENT_REVIEW)).all()
    assert stored == "document_review" and type(stored) is str
    assert loaded is ApplicationState.DOCUMENT_REVIEW
    assert found == [app_id]


def test_an_assigned_value_is_the_member_at_once_before_any_flush() -> None:
    assert Application(state="site_visit").state is ApplicationState.SITE_VISIT
    assert Delivery(status="failed").status is DeliveryStatus.FAILED


def test_an_unknown_value_is_refused_where_it_is_assigned() -> None:
    with pytest.raises(ValueError, match=r"'awarded' is not a ApplicationState \(known: draft,"):
        Application(state="awarded")


def test_an_unknown_value_is_refused_in_a_query(sqlite_database: Database) -> None:
    # A typo in a filter would otherwise match nothing, silently.
    with sqlite_database.session() as session, pytest.raises(
            StatementError, match=r"'finished' is not a ApplicationState"):
        session.scalars(select(Application).where(Application.state == "finished")).all()


def test_an_unknown_stored_value_fails_loudly_on_load(sqlite_database: Database) -> None:
    with sqlite_database.session() as session:
        app_id = factories.application(session).id
        # e.g. a state retired from the code while rows still hold it
        session.execute(text("UPDATE applications SET state = 'retired' WHERE id = :id"),
                        {"id": app_id})
    with sqlite_database.session() as session, pytest.raises(
            ValueError, match=r"'retired' is not a ApplicationState"):
        session.scalars(select(Application.state).where(Application.id == app_id)).one()


def test_the_type_binds_a_member_or_its_value_and_returns_the_member() -> None:
    column_type = StrEnumType(AssignmentStatus, length=20)
    bind = column_type.process_bind_param
    assert bind(AssignmentStatus.DECLINED, None) == "declined"
    assert bind("declined", None) == "declined"
    assert bind(None, None) is None
    assert column_type.process_result_value("submitted", None) is AssignmentStatus.SUBMITTED
    assert column_type.process_result_value(None, None) is None
    assert StrEnumType(SheetStatus, length=20).impl.length == 20  # type: ignore[attr-defined]
