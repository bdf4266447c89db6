"""Applicant pages: the application form, documents, submission, status and feedback.

The same pages serve administrators (who may edit any application); transitions
posted here go through the engine, which checks each trigger's roles and guards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from mqa_workflow.accounts.models import Role
from mqa_workflow.applicants.service import get_organization
from mqa_workflow.applications.expected_documents import (
    EXPECTED_DOCUMENTS,
    accept_attribute,
    accepted_kinds,
)
from mqa_workflow.applications.models import Application, ApplicationState
from mqa_workflow.applications.service import (
    EDITABLE_STATES,
    MAX_DOCUMENT_BYTES,
    attach_document,
    create_application,
    write_answers,
)
from mqa_workflow.audit.service import history
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.cycles.service import get_cycle
from mqa_workflow.errors import ConflictError, DomainError
from mqa_workflow.reports.pdf import feedback_pdf, pdf_name
from mqa_workflow.reports.service import NO_FEEDBACK_STATES, render_feedback
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.standards.models import CLASS_IDS, Standard
from mqa_workflow.states.engine import advance
from mqa_workflow.states.table import triggers_from
from mqa_workflow.translations.message import refusal
from mqa_workflow.translations.message import render as render_message
from mqa_workflow.web import access
from mqa_workflow.web.api.documents import read_upload
from mqa_workflow.web.errors import Forbidden, status_of
from mqa_workflow.web.exports import pdf_response
from mqa_workflow.web.i18n import translator
from mqa_workflow.web.listing import visible_applications
from mqa_workflow.web.pages.applicant_steps import step_words
from mqa_workflow.web.pages.deps import ApplicantPage, Form, Page, Visitor, text
from mqa_workflow.web.pages.rendering import back_to, language, render

router = APIRouter()


@router.get("/applications")
def my_applications(request: Request, page: Page) -> Response:
    cycles = list(page.session.scalars(select(AwardCycle).order_by(AwardCycle.id.desc())))
    return render(request, "applicant/list.html", user=page.user, csrf=page.csrf,
                  applications=visible_applications(page.session, page.user), cycles=cycles,
                  class_names={c: load_standard(c).award_class if language(request) == "zh"
                               else c for c in CLASS_IDS},
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


# What the page says after a save (post/redirect/get).
SAVED = {"draft": "Draft saved", "submitted": "Application submitted",
         "resubmitted": "Application resubmitted"}
# The states where the applicant's own submit button stands at the end of the form.
SUBMIT_TRIGGER = {ApplicationState.DRAFT: "submit",
                  ApplicationState.RETURNED_FOR_CORRECTION: "resubmit"}
# The states that end or halt the path for a reason written to the applicant, shown
# first on the page with what to do.
NEEDS_ATTENTION = (ApplicationState.RETURNED_FOR_CORRECTION, ApplicationState.INELIGIBLE)


def missing_of(application: Application, standard: Standard,
               answers: dict[str, str]) -> list[str]:
    """What is still blank, in the standard's words: the profile, then each item."""
    missing = [standard.profile.name] if not application.profile.strip() else []
    return missing + [f"{item.code} {item.name}" for item in standard.scored_items()
                      if not answers.get(item.code, "").strip()]


def steps_of(application: Application, records: list[dict[str, object]], lang: str
             ) -> list[dict[str, object]]:
    """The history as the applicant reads it: each step in plain words, opened by the
    draft's creation."""
    steps: list[dict[str, object]] = [{"at": application.created_at, "to_state": "draft",
                                       "words": step_words_created(lang), "reason": ""}]
    for record in records:
        steps.append({"at": record["at"], "to_state": record["to_state"],
                      "words": step_words(str(record["trigger"]), lang),
                      "reason": record["reason"]})
    return steps


def step_words_created(lang: str) -> str:
    return ("创建申报草稿：填写组织概述和各条款自评，上传证明材料后提交。" if lang == "zh"
            else "The draft was created: write the profile and the item answers, upload the "
                 "documents, then submit.")


def detail_page(request: Request, page: Visitor, application: Application, *,
                entered: dict[str, str] | None = None, profile: str | None = None,
                refusal: str = "", missing: list[str] | None = None, notice: str = "",
                upload_error: str = "", status: int = 200) -> Response:
    mine = access.is_admin(page.user) or access.owns(page.user, application)
    owner = access.owns(page.user, application)
    standard = load_standard(application.award_class)
    lang = language(request)
    answers = application.answer_texts() | (entered or {})
    records = access.history_for(page.user, history(page.session, application.id)) \
        if mine else []
    # The reason the office wrote for the applicant with the move into today's state.
    reason = next((str(r["reason"]) for r in reversed(records)
                   if r["to_state"] == application.state and r["reason"]), "")
    withdraw = next((s for s in triggers_from(application.state) if s.trigger == "withdraw"),
                    None) if owner and application.state != ApplicationState.DRAFT else None
    return render(
        request, "applicant/detail.html", user=page.user, csrf=page.csrf, status=status,
        application=application, standard=standard, answers=answers,
        profile=application.profile if profile is None else profile,
        class_name=standard.award_class if lang == "zh" else standard.class_id,
        editable=mine and application.state in EDITABLE_STATES, mine=mine,
        steps=steps_of(application, records, lang) if mine else [],
        submit_trigger=SUBMIT_TRIGGER.get(ApplicationState(application.state))
        if owner or access.is_admin(page.user) else None,
        withdraw=withdraw, attention=application.state in NEEDS_ATTENTION, reason=reason,
        missing=missing_of(application, standard, answers) if missing is None else missing,
        refusal=refusal, notice=notice,
        expected_documents=EXPECTED_DOCUMENTS, accepted=accepted_kinds(lang),
        accept=accept_attribute(), max_mb=MAX_DOCUMENT_BYTES // (1024 * 1024),
        max_bytes=MAX_DOCUMENT_BYTES, upload_error=upload_error,
        documents=sorted(application.documents, key=lambda d: d.id),
        feedback=access.sees_results(page.user, application)
        and application.state not in NO_FEEDBACK_STATES)


@router.get("/applications/{application_id}")
def detail(application_id: int, request: Request, page: Page, saved: str = "") -> Response:
    application = access.readable(page.session, page.user, application_id)
    return detail_page(request, page, application, notice=SAVED.get(saved, ""))


@router.post("/applications/{application_id}/answers")
def save_answers(application_id: int, request: Request, page: Page, form: Form) -> Response:
    """Save the profile and the answers; with ``action=submit`` submit them too (the
    engine's guards decide). A refused submit keeps everything typed, saved as the draft,
    and says in words what is still blank."""
    application = access.editable(page.session, page.user, application_id)
    items = {key.removeprefix("item_"): value for key, value in form.items()
             if key.startswith("item_") and isinstance(value, str)}
    write_answers(page.session, application, profile=text(form, "profile"), answers=items)
    if text(form, "action") != "submit":
        return back_to(f"/applications/{application_id}?saved=draft")
    trigger = SUBMIT_TRIGGER.get(ApplicationState(application.state))
    if trigger is None:
        raise ConflictError(f"application {application_id} is {application.state}; "
                            "there is nothing to submit")
    standard = load_standard(application.award_class)
    t = translator(language(request))
    missing = missing_of(application, standard, application.answer_texts())
    if missing:
        return detail_page(request, page, application, missing=missing, status=422,
                           refusal=t("Not submitted: fill in every part first; everything "
                                     "you typed is saved as the draft."))
    try:
        with page.session.begin_nested():  # a refusal undoes only the move
            advance(page.session, application_id, trigger, page.user)
    except DomainError as refused:
        page.session.refresh(application)
        return detail_page(request, page, application, status=status_of(refused),
                           refusal=f"{t('The application could not be submitted')} "
                                   f"({render_message(refused.message, language(request))})")
    done = "submitted" if trigger == "submit" else "resubmitted"
    return back_to(f"/applications/{application_id}?saved={done}")


def upload_refusal(refused: DomainError, t: Callable[[str], str]) -> str:
    """Why a file was not taken, in the page's language (the domain's detail follows in
    brackets: it names the file and what its content was found to be)."""
    detail = "; ".join(refused.problems) or refused.message
    if isinstance(refused, ConflictError):
        why = t("the same file is already uploaded")
    elif "limit" in detail:
        why = t("it is larger than the size limit")
    else:
        why = t("its type is not allowed, or its content does not match its name")
    return f"{t('The file was not uploaded')}：{why}（{detail}）"


@router.post("/applications/{application_id}/documents")
def upload(application_id: int, request: Request, page: Page,
           file: Annotated[UploadFile, File()]) -> Response:
    application = access.editable(page.session, page.user, application_id)
    try:
        with page.session.begin_nested():
            attach_document(page.session, application, file.filename or "unnamed",
                            read_upload(file))
    except DomainError as refused:
        return detail_page(request, page, application, status=status_of(refused),
                           upload_error=upload_refusal(refused, translator(
                               language(request))))
    return back_to(f"/applications/{application_id}#documents")


@router.post("/applications/{application_id}/advance")
def fire(application_id: int, page: Page, form: Form) -> Response:
    """One trigger, with the version the page showed (a stale page gets a 409)."""
    application = access.editable(page.session, page.user, application_id)
    if text(form, "trigger") == "withdraw" and application.state == ApplicationState.DRAFT \
            and not access.is_admin(page.user):
        raise ConflictError(refusal("application %(application)s is a draft: it is withdrawn "
                                    "only once submitted (a draft is simply not submitted)",
                                    application=application_id))
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
