"""Applicant pages: the application form, documents, submission, status and feedback.

The same pages serve administrators (who may edit any application); transitions
posted here go through the engine, which checks each trigger's roles and guards.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.applicants.service import get_organization
from mqa_workflow.applications.service import (
    EDITABLE_STATES,
    attach_document,
    create_application,
    write_answers,
)
from mqa_workflow.audit.service import history
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.reports.pdf import feedback_pdf, pdf_name
from mqa_workflow.reports.service import NO_FEEDBACK_STATES, render_feedback
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.states.engine import advance
from mqa_workflow.states.table import triggers_from
from mqa_workflow.web import access
from mqa_workflow.web.api.documents import read_upload
from mqa_workflow.web.errors import Forbidden
from mqa_workflow.web.exports import pdf_response
from mqa_workflow.web.listing import visible_applications
from mqa_workflow.web.pages.deps import ApplicantPage, Form, Page, text
from mqa_workflow.web.pages.rendering import back_to, render

router = APIRouter()
APPLICANT_TRIGGERS = ("submit", "resubmit", "withdraw")


@router.get("/applications")
def my_applications(request: Request, page: Page) -> Response:
    cycles = list(page.session.scalars(select(AwardCycle).order_by(AwardCycle.id.desc())))
    return render(request, "applicant/list.html", user=page.user, csrf=page.csrf,
                  applications=visible_applications(page.session, page.user), cycles=cycles,
                  may_create=page.user.has_role(Role.APPLICANT_CONTACT)
                  and page.user.organization_id is not None)


@router.post("/applications")
def create(page: ApplicantPage, form: Form) -> Response:
    if page.user.organization_id is None:
        raise Forbidden("this contact speaks for no organization")
    application = create_application(
        page.session, cycle=get_cycle(page.session, text(form, "cycle_id")),
        award_class=text(form, "award_class"),
        organization=get_organization(page.session, page.user.organization_id),
        project_name=text(form, "project_name").strip() or None)
    return back_to(f"/applications/{application.id}")


@router.get("/applications/{application_id}")
def detail(application_id: int, request: Request, page: Page) -> Response:
    application = access.readable(page.session, page.user, application_id)
    mine = access.is_admin(page.user) or access.owns(page.user, application)
    standard = load_standard(application.award_class)
    triggers = [s for s in triggers_from(application.state)
                if s.trigger in APPLICANT_TRIGGERS] if access.owns(page.user, application) else []
    return render(
        request, "applicant/detail.html", user=page.user, csrf=page.csrf,
        application=application, standard=standard, answers=application.answer_texts(),
        editable=mine and application.state in EDITABLE_STATES, mine=mine,
        history=access.history_for(page.user, history(page.session, application.id))
        if mine else [],
        triggers=triggers, feedback=access.sees_results(page.user, application)
        and application.state not in NO_FEEDBACK_STATES)


@router.post("/applications/{application_id}/answers")
def save_answers(application_id: int, page: Page, form: Form) -> Response:
    application = access.editable(page.session, page.user, application_id)
    items = {key.removeprefix("item_"): value for key, value in form.items()
             if key.startswith("item_") and isinstance(value, str)}
    write_answers(page.session, application, profile=text(form, "profile"), answers=items)
    return back_to(f"/applications/{application_id}#answers")


@router.post("/applications/{application_id}/documents")
def upload(application_id: int, page: Page, file: Annotated[UploadFile, File()]) -> Response:
    application = access.editable(page.session, page.user, application_id)
    attach_document(page.session, application, file.filename or "unnamed", read_upload(file))
    return back_to(f"/applications/{application_id}#documents")


@router.post("/applications/{application_id}/advance")
def fire(application_id: int, page: Page, form: Form) -> Response:
    """One trigger, with the version the page showed (a stale page gets a 409)."""
    access.editable(page.session, page.user, application_id)
    version = text(form, "version")
    advance(page.session, application_id, text(form, "trigger"), page.user,
            reason=text(form, "reason"),
            expected_version=int(version) if version.isdigit() else None)
    back = text(form, "back")
    return back_to(back if back.startswith("/") and not back.startswith("//")
                   else f"/applications/{application_id}")


@router.get("/applications/{application_id}/feedback")
def feedback(application_id: int, page: Page) -> Response:
    """The report in the page, with its "下载 PDF" (the same rules: after the release)."""
    application = access.feedback_readable(page.session, page.user, application_id)
    return HTMLResponse(render_feedback(page.session, application, {
        "pdf": f"/applications/{application_id}/feedback.pdf",
        "back": f"/applications/{application_id}"}))


@router.get("/applications/{application_id}/feedback.pdf")
def feedback_as_pdf(application_id: int, page: Page) -> Response:
    application = access.feedback_readable(page.session, page.user, application_id)
    return pdf_response(feedback_pdf(page.session, application), pdf_name(application))
