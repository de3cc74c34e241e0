"""A document's text and parts: /text, /passages, /footnotes, /pages."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import BaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.documents.schemas import DocumentText
from api.http.negotiation import negotiate
from api.http.offsets import Offsets
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response
from api.texts import service
from api.texts.schemas import (
    FootnoteList,
    FootnotePublic,
    PageMarkerList,
    PageMarkerPublic,
    PassageList,
    PassagePublic,
)

router = APIRouter(prefix="/documents/{document_id}", tags=["texts"])

_TEXT_EXAMPLE = (
    "711.62114/9–2444: Telegram\n\nThe Ambassador in the Soviet Union (Harriman) to the "
    "Secretary of State\n\n3652. ReDept’s 2212, September 15, 8 p.m. …"
)


@router.get(
    "/text",
    response_model=DocumentText,
    openapi_extra={"x-default-media-type": "text/plain"},  # JSON is the alternative here
    summary="Get a document's full text",
    description=(
        "The text as printed: footnote markers and page numbers are not in it (they are "
        "served as offsets by /footnotes and /pages), and every character is kept.\n\n"
        "`text/plain` by default; ask with `Accept: application/json` for the text with the "
        "offsets of each passage. `view=main` (default) leaves out passages marked as "
        "boilerplate (site furniture, duplicated captions); `view=full` is the whole text, "
        "to which all offsets in the API refer. In JSON, `offsets=utf16` counts the passages' "
        "offsets and `length` in UTF-16 code units."
    ),
    responses={
        200: {
            "description": "The text",
            "content": {"text/plain": {"schema": {"type": "string"}, "example": _TEXT_EXAMPLE}},
        },
        **problem_responses(404, 406, 422),
    },
)
def get_text(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    base: BaseUrl,
    view: Annotated[
        service.View,
        Query(description="main: without boilerplate passages; full: every passage"),
    ] = "main",
    offsets: Offsets = "codepoints",
) -> Response:
    media_type = negotiate(request, ["text/plain", "application/json"])
    body = service.document_text(
        session, document_id=document_id, view=view, base=base, offsets=offsets
    )
    if media_type == "application/json":
        return json_response(body, headers={"Vary": "Accept"})
    return Response(body.text, media_type="text/plain; charset=utf-8", headers={"Vary": "Accept"})


@router.get(
    "/passages",
    response_model=PassageList,
    summary="List a document's passages",
    description="Passages in reading order with their refs, kinds, offsets and pages. "
    "Boilerplate passages are included unless `include_boilerplate=false`.",
    responses=problem_responses(400, 404, 422),
)
def list_passages(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    base: BaseUrl,
    kind: Annotated[
        str | None,
        Query(max_length=30, description="only passages of this kind", examples=["heading"]),
    ] = None,
    section: Annotated[
        str | None, Query(max_length=200, description="only passages of this section ref")
    ] = None,
    include_boilerplate: Annotated[
        bool, Query(description="include passages marked as boilerplate")
    ] = True,
    offsets: Offsets = "codepoints",
) -> Response:
    after = decode_cursor(page.cursor, "passages", (int,))[0] if page.cursor else None
    items, last = service.list_passages(
        session,
        document_id=document_id,
        kind=kind,
        section=section,
        include_boilerplate=include_boilerplate,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request,
        PassageList,
        items,
        limit=page.limit,
        cursor_kind="passages",
        last_key=[last] if last is not None else None,
    )


@router.get(
    "/passages/{ref}",
    response_model=PassagePublic,
    summary="Get one passage",
    description="A passage by its citable ref (`p3`, `sec2.p1`, …).",
    responses=problem_responses(404, 422),
)
def get_passage(
    session: SessionDep,
    document_id: DocumentId,
    ref: Annotated[str, Path(max_length=200, description="passage ref", examples=["p4"])],
    base: BaseUrl,
    offsets: Offsets = "codepoints",
) -> Response:
    return json_response(
        service.get_passage(session, document_id=document_id, ref=ref, base=base, offsets=offsets)
    )


@router.get(
    "/footnotes",
    response_model=FootnoteList,
    summary="List a document's footnotes",
    description="Notes in the order printed, each with its marker as printed, the passage "
    "that carries the marker and where the marker stands: `start` in the full text, "
    "`passage_start` in the passage.",
    responses=problem_responses(400, 404, 422),
)
def list_footnotes(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    base: BaseUrl,
    offsets: Offsets = "codepoints",
) -> Response:
    after = decode_cursor(page.cursor, "footnotes", (int,))[0] if page.cursor else None
    items, last = service.list_footnotes(
        session,
        document_id=document_id,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request,
        FootnoteList,
        items,
        limit=page.limit,
        cursor_kind="footnotes",
        last_key=[last] if last is not None else None,
    )


@router.get(
    "/footnotes/{marker}",
    response_model=FootnotePublic,
    summary="Get one footnote",
    description="A note by its marker as printed (`66`) or its ref (`fn1`). When a marker is "
    "printed more than once in a document (notes numbered per chapter), ask by ref; the "
    "ambiguous marker answers 409 with the refs to choose from.",
    responses=problem_responses(404, 409, 422),
)
def get_footnote(
    session: SessionDep,
    document_id: DocumentId,
    marker: Annotated[
        str, Path(max_length=200, description="marker as printed, or note ref", examples=["66"])
    ],
    base: BaseUrl,
    offsets: Offsets = "codepoints",
) -> Response:
    return json_response(
        service.get_footnote(
            session, document_id=document_id, key=marker, base=base, offsets=offsets
        )
    )


@router.get(
    "/pages",
    response_model=PageMarkerList,
    summary="List a document's page breaks",
    description="Where each printed page begins, as an offset into the full text, with the "
    "passage it falls in. Page numbers are never part of the text.",
    responses=problem_responses(400, 404, 422),
)
def list_pages(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    base: BaseUrl,
    offsets: Offsets = "codepoints",
) -> Response:
    after = decode_cursor(page.cursor, "pages", (int,))[0] if page.cursor else None
    items, last = service.list_pages(
        session,
        document_id=document_id,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request,
        PageMarkerList,
        items,
        limit=page.limit,
        cursor_kind="pages",
        last_key=[last] if last is not None else None,
    )


@router.get(
    "/pages/{seq}",
    response_model=PageMarkerPublic,
    summary="Get one page break",
    description="A page break by its position among the document's page breaks (`seq`, from "
    "1, as `/pages` lists them): the page number as printed, where it begins in the full "
    "text, and the passage it falls in.",
    responses=problem_responses(404, 422),
)
def get_page(
    session: SessionDep,
    document_id: DocumentId,
    seq: Annotated[int, Path(ge=1, le=2**31 - 1, description="position, from 1", examples=[1])],
    base: BaseUrl,
    offsets: Offsets = "codepoints",
) -> Response:
    return json_response(
        service.get_page(session, document_id=document_id, seq=seq, base=base, offsets=offsets)
    )
