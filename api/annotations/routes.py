"""GET /v1/documents/{id}/annotations: footnotes, mentions and references as W3C Web
Annotations."""

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.annotations import service
from api.deps import AbsoluteBaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.formats import annotations as anno
from api.http.negotiation import VARY, negotiate
from api.http.offsets import Offsets
from api.http.problems import problem_responses

router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])

_DOC = "http://127.0.0.1:8000/v1/documents/harriman-to-secretary-of-state-1944-09-24"
_EXAMPLE = {
    "@context": anno.CONTEXT,
    "id": f"{_DOC}/annotations?page=1",
    "type": "AnnotationPage",
    "partOf": {"id": f"{_DOC}/annotations", "type": "AnnotationCollection", "total": 15},
    "startIndex": 0,
    "items": [
        {
            "id": f"{_DOC}/annotations#footnote-fn1",
            "type": "Annotation",
            "motivation": "commenting",
            "body": {
                "id": f"{_DOC}/footnotes/fn1",
                "type": "TextualBody",
                "value": "Walter Edward Guinness, First Baron Moyne, British Deputy Minister "
                "of State in Cairo.",
                "format": "text/plain",
                "language": "en",
            },
            "target": {
                "type": "SpecificResource",
                "source": f"{_DOC}/text?view=full",
                "selector": [
                    {"type": "TextPositionSelector", "start": 811, "end": 816},
                    {
                        "type": "TextQuoteSelector",
                        "exact": "Moyne",
                        "prefix": "ster in Cairo in which Lord ",
                        "suffix": " was informed that so far as the",
                    },
                ],
            },
        }
    ],
}
OFFERED = ["application/ld+json", "application/json"]


class AnnotationResponse(Response):
    media_type = "application/ld+json"


@router.get(
    "/annotations",
    response_class=AnnotationResponse,
    summary="A document's annotations (W3C Web Annotations)",
    description=(
        "Footnotes (`commenting`), mentions of entities (`identifying`, the body is the "
        "entity's IRI) and span-anchored cross-references (`linking`) as one W3C "
        "`AnnotationPage` of 500 (`page`, `next`/`prev`, `partOf.total`). Every target has "
        "a `TextPositionSelector` and a `TextQuoteSelector` (exact, prefix, suffix) that "
        "select the same span. Targets in the running text point at `/text?view=full`, the "
        "text all offsets refer to; a footnote targets the word its marker is printed after. "
        "Mentions and references inside a footnote target the footnote resource "
        "(`/footnotes/{ref}`), their selectors counting in the note's `text`. "
        "`TextPositionSelector` offsets are code points, as the Web Annotation model defines "
        "them; `offsets=utf16` counts them in UTF-16 code units instead, for a JavaScript "
        "client that slices its own copy of the text. Served as "
        '`application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`.'
    ),
    responses={
        200: {
            "description": "An AnnotationPage",
            "content": {
                "application/ld+json": {"schema": {"type": "object"}, "example": _EXAMPLE},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        **problem_responses(404, 406, 410, 422),
    },
)
def get_annotations(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    base_url: AbsoluteBaseUrl,
    page: Annotated[
        int, Query(ge=1, le=2**31 - 1, description="page of annotations, from 1", examples=[1])
    ] = 1,
    offsets: Offsets = "codepoints",
) -> Response:
    media_type = negotiate(request, OFFERED)
    body = service.annotation_page(
        session, document_id=document_id, page=page, base=base_url, offsets=offsets
    )
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    served = anno.MEDIA_TYPE if media_type == "application/ld+json" else media_type
    return Response(content, media_type=served, headers=VARY)
