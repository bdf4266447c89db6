"""Cycles keep their own rules; applications keep answers and documents safely."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from mqa_workflow.applications.models import DocumentBlob
from mqa_workflow.applications.service import (
    MAX_DOCUMENT_BYTES,
    attach_document,
    create_application,
    write_answers,
)
from mqa_workflow.cycles.service import create_cycle
from mqa_workflow.db import Database
from mqa_workflow.errors import ConflictError, InvalidInputError
from tests import factories

PDF = "application/pdf"


def test_a_cycle_stores_its_rules_so_later_defaults_never_change_it(
    database: Database,
) -> None:
    with database.session() as session:
        cycle = factories.cycle(session, {"reviewers_per_application": 7})
        assert cycle.rules_data["reviewers_per_application"] == 7
        assert cycle.rules_data["correction_days"] == 10  # the default, frozen in the row
        assert cycle.rules.quota("economic").grand == 1


def test_a_cycle_with_bad_classes_deadlines_or_rules_is_refused_whole(
    database: Database,
) -> None:
    with database.session() as session, pytest.raises(InvalidInputError) as refused:
        create_cycle(session, year=2026, classes=["economic", "sports"],
                     deadlines={"site_visit": date(2026, 5, 1),
                                "document_review": date(2026, 6, 1)},
                     rules={"score_weights": {"document_review": 0.5, "site_visit": 0.2},
                            "reviewers_per_application": 0})
    problems = "\n".join(refused.value.problems)
    assert "sports" in problems
    assert "site_visit (2026-05-01) comes before document_review" in problems
    assert "rules: reviewers_per_application: Input should be greater than or equal to 1" in (
        problems)
    with database.session() as session, pytest.raises(InvalidInputError) as refused:
        create_cycle(session, year=2026, rules={
            "score_weights": {"document_review": 0.5, "site_visit": 0.2}})
    assert "score weights must add up to 1 (they add up to 0.7)" in refused.value.problems[0]


def test_documents_are_stored_once_per_content_and_limits_are_enforced(
    database: Database,
) -> None:
    with database.session() as session:
        first = factories.application(session)
        second = factories.application(session)
        content = b"%PDF-1.7 business licence"
        one = attach_document(session, first, "营业执照.pdf", content)
        two = attach_document(session, second, "licence.pdf", content)
        assert one.sha256 == two.sha256 and one.size == len(content)
        assert one.content_type == PDF
        assert session.scalar(select(func.count()).select_from(DocumentBlob)) == 1
        with pytest.raises(InvalidInputError) as refused:
            attach_document(session, first, "macro.exe", b"MZ")
        assert "is not accepted" in refused.value.problems[0]
        with pytest.raises(InvalidInputError, match="cannot attach"):
            attach_document(session, first, "big.pdf", b"x" * (MAX_DOCUMENT_BYTES + 1))
        with pytest.raises(InvalidInputError):
            attach_document(session, first, "report.docx", content)  # name vs type


def test_answers_to_unknown_items_are_refused_and_nothing_is_stored(
    database: Database,
) -> None:
    with database.session() as session:
        application = factories.application(session, complete=False)
        with pytest.raises(InvalidInputError) as refused:
            write_answers(session, application, answers={"1.1": "做法", "7.1": "?"})
        assert refused.value.problems == ["7.1: not a scored item of the economic standard"]
        assert application.answers == []


def test_answers_and_documents_freeze_once_submitted(database: Database) -> None:
    with database.session() as session:
        application = factories.application(session, state="document_review")
        with pytest.raises(ConflictError, match="can change only in draft"):
            write_answers(session, application, answers={"1.1": "改写"})
        with pytest.raises(ConflictError):
            attach_document(session, application, "late.pdf", b"%PDF-")


def test_an_application_is_one_per_class_project_and_cycle(database: Database) -> None:
    with database.session() as session:
        cycle = factories.cycle(session)
        org = factories.organization(session)
        create_application(session, cycle=cycle, award_class="economic", organization=org)
        with pytest.raises(ConflictError, match="already has application"):
            create_application(session, cycle=cycle, award_class="economic", organization=org)
        with pytest.raises(InvalidInputError, match="leave out the project"):
            create_application(session, cycle=cycle, award_class="economic", organization=org,
                               project_name="某项目")


def test_moving_a_stage_deadline_moves_the_open_assignments_of_that_stage(
    database: Database,
) -> None:
    from mqa_workflow.accounts.models import Role
    from mqa_workflow.reviews.assignment_service import set_deadline
    from mqa_workflow.reviews.models import ReviewAssignment

    with database.session() as session:
        cycle = factories.cycle(session, deadlines={"document_review": date(2026, 6, 30)})
        application = factories.application(session, state="document_review",
                                            award_cycle=cycle)
        open_one, done = (ReviewAssignment(application_id=application.id,
                                           reviewer_id=factories.user(session, Role.REVIEWER).id,
                                           stage="document_review", status=status)
                          for status in ("assigned", "submitted"))
        session.add_all([open_one, done])
        session.flush()
        assert set_deadline(session, cycle, "document_review", date(2026, 7, 15)) == 1
        assert cycle.deadline("document_review") == date(2026, 7, 15)
        assert open_one.due_at is not None and open_one.due_at.date() == date(2026, 7, 15)
        assert done.due_at is None
        with pytest.raises(InvalidInputError, match="comes before"):
            set_deadline(session, cycle, "submission", date(2026, 8, 1))


def test_moving_a_deadline_of_a_stage_without_reviewers_moves_no_assignment(
    database: Database,
) -> None:
    from mqa_workflow.reviews.assignment_service import set_deadline

    with database.session() as session:
        cycle = factories.cycle(session, deadlines={"document_review": date(2026, 6, 30)})
        # "committee_decision" names no review stage: nothing to look up, nothing moved
        assert set_deadline(session, cycle, "committee_decision", date(2026, 9, 30)) == 0
        assert cycle.deadline("committee_decision") == date(2026, 9, 30)
