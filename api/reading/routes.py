"""GET /v1/documents/{id}/reading: a document for rendering, in one call."""

from fastapi import APIRouter, Response

from api.deps import BaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.http.offsets import Offsets
from api.http.problems import problem_responses
from api.http.responses import json_response
from api.reading import service
from api.reading.schemas import ReadingBundle

router = APIRouter(prefix="/documents/{document_id}", tags=["texts"])


@router.get(
    "/reading",
    response_model=ReadingBundle,
    summary="Get a document for reading, in one call",
    description=(
        "Everything needed to render a document, in one response: its metadata (as "
        "`/v1/documents/{id}`), its full text, and every passage, footnote, page break, "
        "mention (with the entity's id, name and type) and cross-reference out of and into "
        "it, each exactly as `/passages`, `/footnotes`, `/pages`, `/mentions` and "
        "`/cross-references?direction=out|in` list them (all pages). Every `start`/`end` "
        "is an offset into `text`; `offsets=utf16` counts all of them in UTF-16 code units, "
        "so a JavaScript client can `text.slice(start, end)`. One ETag covers the whole "
        "bundle: `If-None-Match` answers 304 while nothing in it has changed."
    ),
    responses=problem_responses(404, 410, 422),
)
def get_reading(
    session: SessionDep, document_id: DocumentId, base: BaseUrl, offsets: Offsets = "codepoints"
) -> Response:
    """The ETag is the hash of the body, as for every GET (``api.http.etag``), rather than
    one made from the document's revision: a bundle also changes when no revision of the
    document does (an entity renamed or re-linked, a reference made to it from another
    document), and a tag that missed those would keep a stale bundle in caches."""
    return json_response(
        service.reading_bundle(session, document_id=document_id, base=base, offsets=offsets)
    )
