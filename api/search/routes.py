"""GET /v1/search and /v1/documents/{id}/search."""

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.exc import DBAPIError

from api.deps import BaseUrl, SessionDep
from api.documents.routes import DocumentId, edtf_bound
from api.documents.service import require_document
from api.errors import ProblemError
from api.http.bulkhead import search_turn
from api.http.offsets import Offsets
from api.http.pagination import PageDep, decode_cursor, encode_cursor, next_link
from api.http.problems import problem_responses
from api.http.responses import json_response, self_link
from api.search import service
from api.search.backends import backend_for
from api.search.query import Node, QueryError, parse
from api.search.schemas import SearchResults

router = APIRouter(tags=["search"])
log = logging.getLogger("quellen.search")

MAX_OFFSET = 10_000
QUERY_HELP = (
    'Words (all must occur), "exact phrases", `prefix*`, `OR`, `NOT` or `-word`, and '
    "parentheses. Matching ignores case and accents."
)

Q = Annotated[str, Query(description=QUERY_HELP, examples=['"Soviet nationals"', "Potsdam -Yalta"])]
ScopeParam = Annotated[
    Literal["text", "footnotes", "all"],
    Query(description="text: passages (default); footnotes: notes only; all: both"),
]
Boilerplate = Annotated[bool, Query(description="also search passages marked as boilerplate")]
FacetsParam = Annotated[
    str | None,
    Query(
        max_length=200,
        description="comma-separated facets to count over all hits: " + ", ".join(service.FACETS),
        examples=["source_type,year"],
    ),
]


def _parse(q: str) -> Node:
    try:
        return parse(q)
    except QueryError as exc:
        raise ProblemError(
            400, str(exc), errors=[{"in": "query", "name": "q", "message": str(exc)}]
        ) from None


def _facet_names(value: str | None) -> list[str]:
    if not value:
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in service.FACETS]
    if unknown:
        raise ProblemError(
            422, f"Unknown facet {unknown[0]!r}; choose from {', '.join(service.FACETS)}."
        )
    return list(dict.fromkeys(names))


def _run(
    request: Request,
    session: SessionDep,
    base: str,
    *,
    q: str,
    scope: service.Scope,
    sort: service.Sort,
    filters: service.SearchFilters,
    cursor: str | None,
    limit: int,
    facet_names: list[str],
    offsets: Offsets,
) -> Response:
    query = _parse(q)
    kind = f"search:{sort}"
    offset = decode_cursor(cursor, kind, (int,))[0] if cursor else 0
    if not 0 <= offset <= MAX_OFFSET:
        raise ProblemError(
            400,
            f"Results past the first {MAX_OFFSET} cannot be paged through; "
            "narrow the query or add filters.",
        )
    backend = backend_for(session.get_bind())
    settings = request.app.state.settings
    try:
        page = service.search(
            session,
            backend,
            query=query,
            scope=scope,
            sort=sort,
            filters=filters,
            offset=offset,
            limit=limit,
            base=base,
            rank_limit=settings.search_rank_limit,
            common_word=settings.search_common_word,
            offsets=offsets,
        )
        counts = (
            service.facets(
                session, backend, query=query, scope=scope, filters=filters, wanted=facet_names
            )
            if facet_names
            else None
        )
    except DBAPIError as exc:  # the compiler quotes every token; this is a safety net
        log.warning("search engine refused %r: %s", q, exc.orig)
        raise ProblemError(400, "The search engine could not run this query.") from None
    next_cursor = encode_cursor(kind, [offset + limit]) if page.more else None
    body = SearchResults(
        query=q,
        scope=scope,
        sort=sort,
        ranking=page.ranking,
        items=page.items,
        limit=limit,
        next=next_link(request, next_cursor),
        links={"self": self_link(request)},
        facets=counts,
    )
    headers = {"Link": f'<{body.next}>; rel="next"'} if body.next else None
    return json_response(body, headers=headers)


@router.get(
    "/v1/search",
    response_model=SearchResults,
    summary="Search passages and footnotes",
    description=(
        "Full-text search with passage-level hits: document, passage or note ref, kind, "
        "score, a snippet with `<mark>`ed matches and the match offsets (`start`/`end` in "
        "the document's full text, `passage_start`/`passage_end` in the passage or note). "
        + QUERY_HELP
        + " "
        "Boilerplate passages are left out unless `include_boilerplate=true`. Filters apply "
        "to the hit's document; `entity`/`event` keep documents that name them. A malformed "
        "query is answered 400 with what is wrong."
    ),
    responses=problem_responses(400, 422),
    dependencies=[Depends(search_turn)],  # before the session: a waiting search holds none
)
def search(
    request: Request,
    session: SessionDep,
    base: BaseUrl,
    page: PageDep,
    q: Q,
    scope: ScopeParam = "text",
    sort: Annotated[
        Literal["relevance", "date"], Query(description="relevance (default) or date")
    ] = "relevance",
    collection: Annotated[str | None, Query(max_length=120, description="collection id")] = None,
    source_type: Annotated[
        Literal["primary", "secondary", "tertiary"] | None, Query(description="source type")
    ] = None,
    genre: Annotated[str | None, Query(max_length=100, description="genre")] = None,
    date_from: Annotated[
        str | None, Query(max_length=100, description="EDTF: earliest document date")
    ] = None,
    date_to: Annotated[
        str | None, Query(max_length=100, description="EDTF: latest document date")
    ] = None,
    document: Annotated[str | None, Query(max_length=200, description="document id")] = None,
    entity: Annotated[
        str | None, Query(max_length=200, description="documents naming this entity")
    ] = None,
    event: Annotated[
        str | None, Query(max_length=200, description="documents reporting or naming this event")
    ] = None,
    include_boilerplate: Boilerplate = False,
    facets: FacetsParam = None,
    offsets: Offsets = "codepoints",
) -> Response:
    start = edtf_bound("date_from", date_from, upper=False)
    end = edtf_bound("date_to", date_to, upper=True)
    if start is not None and end is not None and start > end:
        raise ProblemError(422, f"date_from ({date_from}) is after date_to ({date_to}).")
    filters = service.SearchFilters(
        collection=collection,
        source_type=source_type,
        genre=genre,
        date_from=start,
        date_to=end,
        document=document,
        entity=entity,
        event=event,
        include_boilerplate=include_boilerplate,
    )
    return _run(
        request,
        session,
        base,
        q=q,
        scope=scope,
        sort=sort,
        filters=filters,
        cursor=page.cursor,
        limit=page.limit,
        facet_names=_facet_names(facets),
        offsets=offsets,
    )


@router.get(
    "/v1/documents/{document_id}/search",
    response_model=SearchResults,
    summary="Find in one document",
    description="Hits inside one document, in reading order by default (passages, then "
    "notes), with the same query language, snippets and offsets as /v1/search.",
    responses=problem_responses(400, 404, 422),
)
def search_document(
    request: Request,
    session: SessionDep,
    base: BaseUrl,
    document_id: DocumentId,
    page: PageDep,
    q: Q,
    scope: ScopeParam = "all",
    sort: Annotated[
        Literal["position", "relevance"], Query(description="position (default) or relevance")
    ] = "position",
    include_boilerplate: Boilerplate = False,
    offsets: Offsets = "codepoints",
) -> Response:
    require_document(session, document_id)
    filters = service.SearchFilters(document=document_id, include_boilerplate=include_boilerplate)
    return _run(
        request,
        session,
        base,
        q=q,
        scope=scope,
        sort=sort,
        filters=filters,
        cursor=page.cursor,
        limit=page.limit,
        facet_names=[],
        offsets=offsets,
    )
