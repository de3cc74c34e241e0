"""GET /v1/documents and /v1/documents/{id}."""

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.changes.bundles import document_lines
from api.deps import AbsoluteBaseUrl, BaseUrl, SessionDep, absolute_base, links_base, reader_for
from api.documents import representations as alt
from api.documents import service
from api.documents.schemas import TELEGRAM_ID, DocumentList, DocumentPublic
from api.errors import ProblemError
from api.http.negotiation import (
    CSV,
    JSON,
    LIST_TYPES,
    NDJSON,
    TEI_CONTENT,
    VARY,
    bundle_content,
    bundle_response,
    jsonld_content,
    negotiate,
    wants_alternative,
)
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response
from api.records.dates import parse_edtf

router = APIRouter(prefix="/documents", tags=["documents"])

DocumentId = Annotated[
    str,
    Path(max_length=200, description="document id (slug)", examples=[TELEGRAM_ID]),
]


def edtf_bound(name: str, value: str | None, *, upper: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        span = parse_edtf(value)
    except ValueError as exc:
        raise ProblemError(
            422,
            f"query parameter {name!r}: {exc}",
            errors=[{"in": "query", "name": name, "message": str(exc)}],
        ) from None
    return span.end if upper else span.start


@router.get(
    "",
    response_model=DocumentList,
    summary="List documents",
    description=(
        "Documents with filters, sorted by date (undated last) or title, with keyset "
        'pagination: follow `next` or the `Link: rel="next"` header. Pages stay stable '
        "when documents are added between requests.\n\n"
        "`date_from`/`date_to` take EDTF dates and compare ranges: `date_from=1945` keeps "
        "documents that may date from 1945 or later, so `1945-02-04` and `1945~` both match."
        "\n\nAlso as CSV (`Accept: text/csv`): one header row and one row per document of "
        "the page, with the same cursor and `Link` header as the JSON list."
    ),
    responses={
        200: {"content": alt.CSV_CONTENT_DOCUMENTS},
        **problem_responses(400, 406, 422),
    },
)
def list_documents(
    request: Request,
    session: SessionDep,
    page: PageDep,
    base: BaseUrl,
    base_url: AbsoluteBaseUrl,
    collection: Annotated[
        str | None,
        Query(max_length=120, description="collection id", examples=["frus-1944-v04"]),
    ] = None,
    source_type: Annotated[
        Literal["primary", "secondary", "tertiary"] | None,
        Query(description="primary, secondary or tertiary"),
    ] = None,
    genre: Annotated[
        str | None, Query(max_length=100, description="e.g. telegram, essay", examples=["telegram"])
    ] = None,
    date_from: Annotated[
        str | None,
        Query(max_length=100, description="EDTF date: earliest date kept", examples=["1945"]),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(max_length=100, description="EDTF date: latest date kept", examples=["1945-02"]),
    ] = None,
    title: Annotated[
        str | None,
        Query(max_length=200, description="case-insensitive substring of the title"),
    ] = None,
    sort: Annotated[
        service.SortKey,
        Query(description="date, -date, title or -title; ties broken by id"),
    ] = "date",
) -> Response:
    media_type = negotiate(request, LIST_TYPES) if wants_alternative(request) else JSON
    start = edtf_bound("date_from", date_from, upper=False)
    end = edtf_bound("date_to", date_to, upper=True)
    if start is not None and end is not None and start > end:
        raise ProblemError(422, f"date_from ({date_from}) is after date_to ({date_to}).")
    filters = service.DocumentFilters(
        collection=collection,
        source_type=source_type,
        genre=genre,
        date_from=start,
        date_to=end,
        title=title,
    )
    kind = f"documents:{sort}"
    after = decode_cursor(page.cursor, kind, (str, str)) if page.cursor else None
    items, more = service.list_documents(
        session,
        filters=filters,
        sort=sort,
        after=after,
        limit=page.limit,
        base=base,
    )
    last_key = service.cursor_key(sort, items[-1]) if more else None
    if media_type == CSV:
        return alt.document_csv(request, items, base=base_url, cursor_kind=kind, last_key=last_key)
    response = page_response(
        request, DocumentList, items, limit=page.limit, cursor_kind=kind, last_key=last_key
    )
    response.headers["Vary"] = "Accept"
    return response


_BUNDLE_EXAMPLE = (
    '{"type":"bundle","format":"quellen-bundle","version":1}\n'
    '{"type":"collection","id":"frus-1944-v04","title":"Foreign Relations of the United '
    'States, Diplomatic Papers, 1944, Volume IV, Europe"}\n'
    f'{{"type":"document","id":"{TELEGRAM_ID}","collection_id":"frus-1944-v04",…}}\n'
)


def _bundle_lines(request: Request, document_id: str) -> str:
    """The document as bundle lines, read in the thread pool (several tables)."""
    from sqlmodel import Session

    with Session(request.app.state.engine) as session:
        return document_lines(session, document_id)


@router.get(
    "/{document_id}",
    response_model=DocumentPublic,
    summary="Get one document",
    description="A document's metadata, provenance, identifiers, curatorial notes, counts of "
    "its parts, and links to its text, passages, footnotes and pages.\n\n"
    "Also as schema.org JSON-LD (`Accept: application/ld+json`: a `CreativeWork`, `Message` "
    "or `ArchiveComponent` with stable absolute `@id`s) and as TEI P5 "
    "(`Accept: application/tei+xml`: header from the metadata and provenance, divisions, "
    "paragraphs, notes where their markers stand, page breaks, mentions and references), "
    "and as Quellen bundle lines (`Accept: application/x-ndjson`: the lines `quellen "
    "export` writes for it — the header, its collection, the document — which `quellen "
    "import` reads back; what the change feed's `seeAlso` points at, for mirrors).",
    responses={
        200: {
            "content": {
                **jsonld_content(alt.DOCUMENT_JSONLD_EXAMPLE),
                **TEI_CONTENT,
                **bundle_content(_BUNDLE_EXAMPLE),
            }
        },
        **problem_responses(404, 406, 410, 422),
    },
)
async def get_document(request: Request, document_id: DocumentId) -> Response:
    """The hottest read, ``async`` so that on SQLite it never leaves the event loop.

    The Reader runs the lookup on the loop on SQLite and in the thread pool on PostgreSQL,
    on a Core connection instead of a request-scoped Session, which the lookup does not need.
    Other representations are negotiated only when Accept asks for something besides JSON.
    The base URLs are plain calls rather than ``BaseUrl``/``AbsoluteBaseUrl`` parameters,
    like ``reader_for``: on this path each dependency FastAPI resolves is a cost that shows.
    """
    if wants_alternative(request):
        media_type = negotiate(request, [*alt.DOCUMENT_TYPES, NDJSON])
        if media_type == NDJSON:
            lines = await run_in_threadpool(_bundle_lines, request, document_id)
            return bundle_response(lines)
        if media_type != JSON:
            return await run_in_threadpool(
                alt.document_alternative,
                request.app.state.engine,
                document_id,
                media_type,
                base=absolute_base(request),
            )
    document = await reader_for(request).run(
        service.get_document, document_id=document_id, base=links_base(request)
    )
    return json_response(document, headers=VARY)
