"""GET /v1/cross-references and /v1/cross-references/{id}."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from api.crossrefs import service
from api.crossrefs.schemas import CrossReferenceList, CrossReferencePublic
from api.deps import BaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.http.offsets import Offsets
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response

router = APIRouter(prefix="/cross-references", tags=["cross-references"])
document_router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])

Relation = Literal["cites", "replies_to", "quotes", "same_event", "see_also"]
Origin = Literal["curated", "detected", "inferred"]


@router.get(
    "",
    response_model=CrossReferenceList,
    summary="List cross-references",
    description="Links between sources: curated by editors, detected in the text (file "
    "numbers, URLs), or inferred from shared entities and events (with a score and a "
    "reason). An unresolved reference points at an identifier no loaded document carries "
    "yet; it resolves itself when such a document is loaded.",
    responses=problem_responses(400, 422),
)
def list_cross_references(
    request: Request,
    session: SessionDep,
    page: PageDep,
    base: BaseUrl,
    relation: Annotated[Relation | None, Query(description="relation type")] = None,
    origin: Annotated[Origin | None, Query(description="curated, detected or inferred")] = None,
    resolved: Annotated[
        bool | None, Query(description="true: target in the corpus; false: unresolved")
    ] = None,
    offsets: Offsets = "codepoints",
) -> Response:
    after = decode_cursor(page.cursor, "xrefs", (int,))[0] if page.cursor else None
    items, last = service.list_cross_references(
        session,
        relation=relation,
        origin=origin,
        resolved=resolved,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request,
        CrossReferenceList,
        items,
        limit=page.limit,
        cursor_kind="xrefs",
        last_key=[last] if last is not None else None,
    )


@router.get(
    "/{xref_id}",
    response_model=CrossReferencePublic,
    summary="Get one cross-reference",
    description="A cross-reference with its source anchor (document, passage or footnote, "
    "the words it is made with and their offsets: `start`/`end` in the document's full "
    "text, `passage_start`/`passage_end` in the passage or note) and its target.",
    responses=problem_responses(404, 422),
)
def get_cross_reference(
    session: SessionDep,
    xref_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="cross-reference id")],
    base: BaseUrl,
    offsets: Offsets = "codepoints",
) -> Response:
    return json_response(
        service.get_cross_reference(session, xref_id=xref_id, base=base, offsets=offsets)
    )


@document_router.get(
    "/cross-references",
    response_model=CrossReferenceList,
    summary="A document's cross-references",
    description="References from this document (`direction=out`), to it (`in`), or both.",
    responses=problem_responses(400, 404, 422),
)
def list_document_cross_references(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    base: BaseUrl,
    direction: Annotated[
        Literal["out", "in", "both"], Query(description="out, in or both")
    ] = "both",
    offsets: Offsets = "codepoints",
) -> Response:
    after = decode_cursor(page.cursor, "xrefs", (int,))[0] if page.cursor else None
    items, last = service.list_cross_references(
        session,
        relation=None,
        origin=None,
        resolved=None,
        document_id=document_id,
        direction=direction,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request,
        CrossReferenceList,
        items,
        limit=page.limit,
        cursor_kind="xrefs",
        last_key=[last] if last is not None else None,
    )
