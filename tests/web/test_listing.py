"""The lists the pages and the API filter: a state filter typed by hand."""

from __future__ import annotations

from mqa_workflow.accounts.models import Role
from mqa_workflow.applications.vocabulary import ApplicationState
from mqa_workflow.db import Database
from mqa_workflow.web.listing import visible_applications
from tests import factories


def test_a_state_is_found_by_its_name_and_an_unknown_name_is_none() -> None:
    assert ApplicationState.named("site_visit") is ApplicationState.SITE_VISIT
    assert ApplicationState.named("awarded") is None


def test_an_unknown_state_filter_lists_nothing_rather_than_failing(
        sqlite_database: Database) -> None:
    with sqlite_database.session() as session:
        admin = factories.user(session, Role.ADMINISTRATOR)
        app = factories.application(session, state="document_review")
        assert [a.id for a in visible_applications(session, admin,
                                                   state="document_review")] == [app.id]
        assert visible_applications(session, admin, state="awarded") == []
