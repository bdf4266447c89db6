"""Creating applications, writing their answers and attaching documents."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mqa_workflow.applicants.models import Organization
from mqa_workflow.applicants.service import ensure_project
from mqa_workflow.applications.filetypes import NotAccepted, clean_filename, sniff
from mqa_workflow.applications.models import Application, Document, DocumentBlob, ItemAnswer
from mqa_workflow.applications.vocabulary import EDITABLE_STATES
from mqa_workflow.cycles.models import AwardCycle
from mqa_workflow.errors import ConflictError, InvalidInputError, NotFoundError
from mqa_workflow.standards.loader import load_standard
from mqa_workflow.translations.message import Listed, Word, refusal

# Documents: the kinds accepted are judged from content (filetypes.py); a size limit.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def create_application(
    session: Session,
    *,
    cycle: AwardCycle,
    award_class: str,
    organization: Organization,
    project_name: str | None = None,
) -> Application:
    if award_class not in cycle.classes:
        raise InvalidInputError(refusal(
            "cycle %(cycle)s does not run the '%(award_class)s' class (it runs: %(classes)s)",
            cycle=cycle.name, award_class=Word("class", award_class),
            classes=Listed(Word("class", c) for c in cycle.classes)))
    # Economic is an organization award; the other five are organization-or-project
    # awards (组织/项目奖): an organization may apply as itself or for a named project.
    if award_class == "economic" and project_name:
        raise InvalidInputError(
            refusal("the economic class is for organizations; leave out the project"))
    project = ensure_project(session, organization, project_name) if project_name else None
    same_project = (
        Application.project_id == project.id if project else Application.project_id.is_(None)
    )
    duplicate = session.scalar(
        select(Application).where(
            Application.cycle_id == cycle.id, Application.award_class == award_class,
            Application.organization_id == organization.id, same_project,
        )
    )
    if duplicate:
        raise ConflictError(refusal(
            "%(organization)s already has application %(application)s for %(award_class)s in "
            "%(cycle)s", organization=organization.name, application=duplicate.id,
            award_class=Word("class", award_class), cycle=cycle.name))
    application = Application(cycle=cycle, award_class=award_class,
                              organization=organization, project=project)
    session.add(application)
    session.flush()
    return application


def get_application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(refusal("no application %(application)s",
                                    application=application_id))
    return application


def _require_editable(application: Application) -> None:
    if application.state not in EDITABLE_STATES:
        raise ConflictError(refusal(
            "application %(application)s is %(state)s; answers and documents can change only "
            "in %(editable)s", application=application.id,
            state=Word("state", str(application.state)),
            editable=Listed((Word("state", s.value) for s in EDITABLE_STATES), " or ")))


def write_answers(
    session: Session,
    application: Application,
    *,
    profile: str | None = None,
    answers: Mapping[str, str] | None = None,
) -> None:
    """Set the profile and item answers; unknown item codes are refused, nothing is stored."""
    _require_editable(application)
    standard = load_standard(application.award_class)
    codes = {item.code for item in standard.scored_items()}
    answers = answers or {}
    problems = [refusal("%(code)s: not a scored item of the %(award_class)s standard",
                        code=code, award_class=Word("class", application.award_class))
                for code in answers if code not in codes]
    problems += [refusal("%(code)s: an answer must be text", code=code)
                 for code, text in answers.items() if not isinstance(text, str)]
    if problems:
        raise InvalidInputError(refusal("cannot save the answers of application "
                                        "%(application)s", application=application.id),
                                problems)
    if profile is not None:
        application.profile = profile
    existing = {answer.item_code: answer for answer in application.answers}
    for code, text in answers.items():
        if code in existing:
            existing[code].text = text
        else:
            application.answers.append(ItemAnswer(item_code=code, text=text))
    session.flush()


def attach_document(
    session: Session, application: Application, filename: str, data: bytes
) -> Document:
    """Attach ``data`` under a cleaned ``filename``; its type is judged from the content.

    The same content attached twice to one application is refused with the name it
    already has (content is stored once per hash however many applications use it).
    """
    _require_editable(application)
    filename = clean_filename(filename)
    problems = []
    kind = None
    if not data:
        problems.append(f"{filename}: the file is empty")
    elif len(data) > MAX_DOCUMENT_BYTES:
        problems.append(f"{filename}: {len(data):,} bytes is over the limit of "
                        f"{MAX_DOCUMENT_BYTES:,}")
    else:
        try:
            kind = sniff(data, filename)
        except NotAccepted as refused:
            problems.append(str(refused))
    if problems or kind is None:
        raise InvalidInputError("cannot attach the document", problems)
    digest = hashlib.sha256(data).hexdigest()
    twin = session.scalar(select(Document).where(Document.application_id == application.id,
                                                 Document.sha256 == digest))
    if twin is not None:
        raise ConflictError(f"{filename}：相同内容的文件已作为「{twin.filename}」附在本申报中 "
                            f"(the same content is already attached to this application as "
                            f"{twin.filename!r}, document {twin.id})")
    if session.get(DocumentBlob, digest) is None:
        session.add(DocumentBlob(sha256=digest, size=len(data), data=data))
    document = Document(application=application, sha256=digest, filename=filename,
                        content_type=kind.content_type, size=len(data))
    session.add(document)
    session.flush()
    return document


def count_by_state(session: Session, cycle_id: int) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Application.award_class, Application.state, func.count())
        .where(Application.cycle_id == cycle_id)
        .group_by(Application.award_class, Application.state)
    )
    return {(award_class, state): count for award_class, state, count in rows}
