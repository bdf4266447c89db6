"""The feedback report's PDF is rendered once, when the office releases the results (the
decision is frozen then), and kept with its hash; every download serves the kept file.
Results released before reports were kept get theirs rendered and kept at the first
download. The office's preview before the release is rendered each time and never kept."""

from __future__ import annotations

import hashlib
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

import mqa_workflow.reports.pdf as pdf_module
from mqa_workflow.accounts.service import get_user
from mqa_workflow.applications.models import Application, DocumentBlob
from mqa_workflow.audit.models import AuditRecord
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.db import Database
from mqa_workflow.outbox.models import OutboxMessage
from mqa_workflow.reports.models import FeedbackPdf
from mqa_workflow.reports.service import FEEDBACK_PDF, FEEDBACK_READY
from mqa_workflow.states.release import release_results
from tests.e2e.world import World, build, signed_in_clients
from tests.reports.reported import release, to_grand_award


@pytest.fixture
def awarded(world: World, api: dict[str, TestClient]) -> World:
    to_grand_award(api, world)
    return world


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the PDF layouts (the slow part) while still doing them."""
    done: list[int] = []
    real = pdf_module.html_to_pdf

    def counted(html: str) -> bytes:
        done.append(1)
        return real(html)

    monkeypatch.setattr(pdf_module, "html_to_pdf", counted)
    return done


def _kept(world: World) -> FeedbackPdf | None:
    with world.database.session() as session:
        row = session.get(FeedbackPdf, world.application_id)
        if row is not None:
            session.expunge(row)
        return row


def test_the_release_renders_the_pdf_once_and_every_download_serves_the_kept_file(
        awarded: World, api: dict[str, TestClient], renders: list[int]) -> None:
    a = awarded.application_id
    preview = api["admin"].get(f"/api/applications/{a}/feedback.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF-")
    assert _kept(awarded) is None and len(renders) == 1  # an open decision: not kept
    release(api, awarded)
    kept = _kept(awarded)
    assert kept is not None and len(renders) == 2  # rendered in the release's background
    for client in (api["applicant"], api["admin"], api["applicant"]):
        served = client.get(f"/api/applications/{a}/feedback.pdf")
        assert served.status_code == 200
        assert hashlib.sha256(served.content).hexdigest() == kept.sha256
        assert len(served.content) == kept.size
    assert len(renders) == 2  # three downloads, no new layout
    with awarded.database.session() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.trigger == pdf_module.KEEP_TRIGGER)).one()
        assert record.data["application_id"] == a and record.data["sha256"] == kept.sha256


def test_results_released_before_reports_were_kept_get_theirs_at_the_first_download(
        awarded: World, api: dict[str, TestClient], renders: list[int]) -> None:
    a = awarded.application_id
    release(api, awarded)
    with awarded.database.session() as session:  # as a cycle released before 0037
        session.execute(delete(FeedbackPdf))
    first = api["applicant"].get(f"/api/applications/{a}/feedback.pdf")
    kept = _kept(awarded)
    assert first.status_code == 200 and kept is not None
    assert hashlib.sha256(first.content).hexdigest() == kept.sha256
    before = len(renders)
    again = api["applicant"].get(f"/api/applications/{a}/feedback.pdf")
    assert again.content == first.content and len(renders) == before
    with awarded.database.session() as session:
        assert session.get(DocumentBlob, kept.sha256).size == kept.size


def test_a_redelivered_release_task_does_not_render_again(
        awarded: World, api: dict[str, TestClient], renders: list[int]) -> None:
    release(api, awarded)
    before = len(renders)
    with awarded.database.session() as session:
        pdf_module.keep_released_pdf(session, awarded.application_id)
    assert len(renders) == before


@pytest.mark.postgres
def test_two_first_readers_at_once_both_get_the_report_and_one_file_is_kept(
        pg_database: Database) -> None:
    """Results released before reports were kept, and two people download at the same
    moment: both render, one keeps its file, the other is answered with it, no error."""
    world = build(pg_database)
    with signed_in_clients(world) as api:
        to_grand_award(api, world)
        release(api, world)
    with pg_database.session() as session:
        session.execute(delete(FeedbackPdf))
    both = threading.Barrier(2)
    answered: list[bytes] = []

    def reader() -> None:
        with pg_database.session() as session:
            application = session.get(Application, world.application_id)
            assert application is not None
            both.wait()
            answered.append(pdf_module.feedback_pdf(session, application))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    kept = _kept(world)
    assert len(answered) == 2 and all(pdf.startswith(b"%PDF-") for pdf in answered)
    assert kept is not None
    assert kept.sha256 in {hashlib.sha256(pdf).hexdigest() for pdf in answered}


def test_a_release_without_pdfs_queues_none_and_the_first_download_keeps_it(
        awarded: World, api: dict[str, TestClient], renders: list[int]) -> None:
    """The demo's release (hundreds of reports nobody downloads): no PDF rendered then."""
    with awarded.database.session() as session:
        cycle = session.get_one(AwardCycle, awarded.cycle_id)
        admin = get_user(session, awarded.emails["admin"])
        release_results(session, cycle, admin, render_pdfs=False)
        queued = session.scalars(select(OutboxMessage.task)).all()
        assert FEEDBACK_PDF not in queued and FEEDBACK_READY in queued
    first = api["applicant"].get(f"/api/applications/{awarded.application_id}/feedback.pdf")
    assert first.status_code == 200 and len(renders) == 1
    assert _kept(awarded) is not None
