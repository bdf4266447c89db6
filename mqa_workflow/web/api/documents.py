"""Documents attached to an application (stored once per content hash)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from mqa_workflow.applications.filetypes import ACCEPTED
from mqa_workflow.applications.models import Document, DocumentBlob
from mqa_workflow.applications.service import MAX_DOCUMENT_BYTES, attach_document
from mqa_workflow.errors import InvalidInputError, NotFoundError
from mqa_workflow.web import access
from mqa_workflow.web.api.schemas import Id
from mqa_workflow.web.api.schemas.applications import DocumentRead
from mqa_workflow.web.api.schemas.common import media, refusals
from mqa_workflow.web.deps import DB, CurrentUser
from mqa_workflow.web.errors import Forbidden

router = APIRouter(tags=["documents"], responses=refusals(401, 403, 404, 422))


def read_upload(upload: UploadFile) -> bytes:
    """The upload's bytes, refusing more than the domain's limit without reading it all.

    The body reached here through ``UploadGuard`` (signed in, CSRF, size) and was
    spooled to a bounded temporary file by the multipart parser.
    """
    data = upload.file.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInputError("cannot attach the document", [
            f"{upload.filename}: over the limit of {MAX_DOCUMENT_BYTES:,} bytes"])
    return data


@router.post("/applications/{application_id}/documents", status_code=201,
             summary="Attach a document (PDF, PNG/JPEG, Word or Excel, judged from its content; "
                     "409 if the same content is already attached)",
             responses=refusals(409, 413))
def upload(application_id: Id, file: Annotated[UploadFile, File()], session: DB,
           user: CurrentUser) -> DocumentRead:
    application = access.editable(session, user, application_id)
    document = attach_document(session, application, file.filename or "unnamed",
                               read_upload(file))
    return DocumentRead.of(document)


@router.get("/applications/{application_id}/documents", summary="The attached documents")
def list_documents(application_id: Id, session: DB, user: CurrentUser) -> list[DocumentRead]:
    application = access.readable(session, user, application_id)
    if not access.full_materials(session, user, application):
        raise Forbidden(f"{user.email} may not see the documents of application "
                        f"{application_id}")
    return [DocumentRead.of(d) for d in application.documents]


@router.get("/documents/{document_id}", summary="Download one document",
            response_class=Response,
            responses=media(*sorted({kind.content_type for kind in ACCEPTED}),
                            description="The document as attached (its kind judged from its "
                                        "content on upload)"))
def download(document_id: Id, session: DB, user: CurrentUser) -> Response:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFoundError(f"no document {document_id}")
    application = access.readable(session, user, document.application_id)
    if not access.full_materials(session, user, application):
        raise Forbidden(f"{user.email} may not see document {document_id}")
    blob = session.get(DocumentBlob, document.sha256)
    assert blob is not None  # a foreign key keeps it
    disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return Response(blob.data, media_type=document.content_type,
                    headers={"Content-Disposition": disposition})
