"""Writes of documents and their text: create, edit, delete and restore a document; edit a
passage or a footnote.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.curation.routes.writes import WRITE_ERRORS, IfMatch, patch_of, written
from api.curation.schemas import (
    DocumentCreate,
    DocumentPatch,
    FootnotePatch,
    PassagePatch,
)
from api.curation.service import documents as service
from api.db.engine import write_session
from api.deps import BaseUrl, WriteSessionDep
from api.documents.routes import DocumentId
from api.documents.schemas import DocumentPublic
from api.errors import ProblemError
from api.http.auth import AdminKey, CurateKey
from api.texts.schemas import FootnotePublic, PassagePublic

router = APIRouter()


@router.post(
    "/documents",
    tags=["documents"],
    response_model=DocumentPublic,
    status_code=201,
    summary="Create a document",
    description="A new document from metadata and annotated plain text (one passage per "
    "line, `## section`, `[^n]` footnote markers, `[Page n]` page breaks). It is linked "
    "and indexed at once.",
    responses=WRITE_ERRORS,
)
def create_document(
    session: WriteSessionDep, principal: CurateKey, body: DocumentCreate, base: BaseUrl
) -> Response:
    document = service.create_document(session, principal, body, base=base)
    session.commit()
    return written(document, status_code=201, location=document.links.self)


@router.patch(
    "/documents/{document_id}",
    tags=["documents"],
    response_model=DocumentPublic,
    summary="Edit a document's metadata",
    description="A JSON Merge Patch of the metadata (title, authors, date, provenance, notes, "
    "identifiers, …). Needs If-Match. Edit the text through its passages.",
    responses=WRITE_ERRORS,
)
def update_document(
    request: Request,
    principal: CurateKey,
    document_id: DocumentId,
    body: DocumentPatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    # Its own session, not a dependency's: whether the write needs a turn in the write lane
    # depends on the fields it changes (api.db.engine.begin_write).
    patch = patch_of(body)

    def edit(exclusive: bool) -> DocumentPublic:
        engine = request.app.state.engine
        with write_session(engine, exclusive=exclusive, expire_on_commit=False) as session:
            document = service.update_document(
                session,
                principal,
                document_id,
                patch,
                if_match=if_match,
                base=base,
                exclusive=exclusive,
            )
            session.commit()
        return document

    try:
        document = edit(exclusive=not patch.keys() <= service.OWN_ROW_FIELDS)
    except service.LinksNeeded:
        document = edit(exclusive=True)
    return written(document)


@router.delete(
    "/documents/{document_id}",
    tags=["documents"],
    status_code=204,
    summary="Delete a document",
    description="A soft delete: the document becomes a tombstone (410 Gone on read) that an "
    "administrator can restore with everything it had. `hard=true` (admin) removes it for "
    "good. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_document(
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    base: BaseUrl,
    hard: Annotated[bool, Query(description="delete permanently (admin only)")] = False,
    if_match: IfMatch = None,
) -> Response:
    if hard and not principal.allows("admin"):
        raise ProblemError(403, "Permanent deletion needs an API key with the 'admin' scope.")
    service.delete_document(
        session, principal, document_id, if_match=if_match, hard=hard, base=base
    )
    session.commit()
    return Response(status_code=204)


@router.post(
    "/documents/{document_id}/restore",
    tags=["documents"],
    response_model=DocumentPublic,
    summary="Restore a deleted document",
    description="Brings a soft-deleted document back with its passages, footnotes, mentions "
    "and cross-references. Admin only.",
    responses=WRITE_ERRORS,
)
def restore_document(
    session: WriteSessionDep, principal: AdminKey, document_id: DocumentId, base: BaseUrl
) -> Response:
    document = service.restore_document(session, principal, document_id, base=base)
    session.commit()
    return written(document)


@router.patch(
    "/documents/{document_id}/passages/{ref}",
    tags=["texts"],
    response_model=PassagePublic,
    summary="Edit a passage",
    description="Change a passage's text, kind or boilerplate flag. Offsets of footnotes, "
    "page breaks, mentions and later passages move with the text. Needs If-Match (the "
    "passage's ETag).",
    responses=WRITE_ERRORS,
)
def update_passage(
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    ref: Annotated[str, Path(max_length=200, description="passage ref")],
    body: PassagePatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    passage = service.update_passage(
        session,
        principal,
        document_id,
        ref,
        patch_of(body),
        if_match=if_match,
        base=base,
    )
    session.commit()
    return written(passage)


@router.patch(
    "/documents/{document_id}/footnotes/{marker}",
    tags=["texts"],
    response_model=FootnotePublic,
    summary="Edit a footnote",
    description="Change a note's text or printed marker (by marker or ref). Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_footnote(
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    marker: Annotated[str, Path(max_length=200, description="marker or note ref")],
    body: FootnotePatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    note = service.update_footnote(
        session,
        principal,
        document_id,
        marker,
        patch_of(body),
        if_match=if_match,
        base=base,
    )
    session.commit()
    return written(note)
