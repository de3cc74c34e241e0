"""``/collections/{collection_id}``: a collection, its documents page by page, sorted by
date or title, and a histogram of its documents per year.

The documents come from ``api.documents.service.list_documents`` with the JSON list's sort
keys and cursors (a cursor from ``/v1/documents?collection=…`` works here, and back), so
the pages hold what the API's pages hold. The histogram counts every live document of the
collection by the year its date starts in, drawn by ``api.reader.timeline``.
"""

from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from api.collections import service as collections
from api.deps import SessionDep, absolute_base
from api.documents import service as documents
from api.documents.service import DocumentFilters, SortKey
from api.errors import ProblemError
from api.http.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from api.reader.templating import Alternate, html_errors, page
from api.reader.timeline import layout_histogram

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
COUNT_PAGE = 1000  # documents asked of the service at a time when counting years
SORTS: dict[SortKey, str] = {
    "date": "Date, oldest first",
    "-date": "Date, newest first",
    "title": "Title, A–Z",
    "-title": "Title, Z–A",
}


def _sort(value: str | None) -> SortKey:
    """The sort asked for, ``date`` by default; anything else is a 400 page."""
    if value is None or value == "":
        return "date"
    for key in SORTS:
        if key == value:
            return key
    raise ProblemError(400, f"Sort by one of {', '.join(SORTS)}, not {value[:50]!r}.")


def _limit(value: str | None) -> int:
    """Documents per page, PAGE_SIZE by default, 1–MAX_LIMIT; anything else is a 400 page."""
    if value is None or value == "":
        return PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise ProblemError(400, f"limit is a number of documents from 1 to {MAX_LIMIT}.")
    return int(value)


def years(session: Session, collection_id: str, *, base: str) -> tuple[Counter[int], int]:
    """The collection's live documents per year their date starts in, and the undated ones."""
    counted: Counter[int] = Counter()
    undated = 0
    after: list[Any] | None = None
    while True:
        items, more = documents.list_documents(
            session,
            filters=DocumentFilters(collection=collection_id),
            sort="date",
            after=after,
            limit=COUNT_PAGE,
            base=base,
        )
        for item in items:
            if item.date_start is None:
                undated += 1
            else:
                counted[item.date_start.year] += 1
        if not more:
            return counted, undated
        after = documents.cursor_key("date", items[-1])


def _link(root: str, collection_id: str, **params: str | int | None) -> str:
    """A link to this page with ``params`` (those that are None left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{root}/collections/{collection_id}" + (f"?{query}" if query else "")


@router.get("/collections/{collection_id}")
@html_errors
def collection_page(
    request: Request,
    session: SessionDep,
    collection_id: Annotated[str, Path(max_length=120)],
    sort: Annotated[str | None, Query(max_length=10)] = None,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    limit: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    """A collection: what it is, its documents by year, then one page of its documents."""
    base = absolute_base(request)
    root: str = request.scope.get("root_path", "")
    order, size = _sort(sort), _limit(limit)
    cursor, limit = cursor or None, limit or None  # an empty field in a link is no field
    collection = collections.get_collection(session, collection_id=collection_id, base=base)
    kind = f"documents:{order}"  # the JSON list's cursors, so that either reads the other's
    after = decode_cursor(cursor, kind, (str, str)) if cursor else None
    items, more = documents.list_documents(
        session,
        filters=DocumentFilters(collection=collection_id),
        sort=order,
        after=after,
        limit=size,
        base=base,
    )
    following = None
    if more:
        token = encode_cursor(kind, documents.cursor_key(order, items[-1]))
        following = _link(root, collection_id, sort=order, cursor=token, limit=limit)
    counted, undated = years(session, collection_id, base=base)
    histogram = layout_histogram(counted)
    dated = sum(counted.values())
    chart_label = ""
    if histogram is not None:
        first, last = histogram.columns[0].first, histogram.columns[-1].last
        span = f"in {first}" if first == last else f"from {first} to {last}"
        noun = "document" if dated == 1 else "documents"
        chart_label = f"{dated} dated {noun} by year, {span}; the table after it gives the counts"
    shown_sort = None if order == "date" else order
    listed = f"{base}/v1/documents?" + urlencode({"collection": collection_id, "sort": order})
    return page(
        request,
        "collection.html",
        title=collection.title,
        description=collection.description
        or f"The {collection.document_count} documents of {collection.title}.",
        alternates=[
            Alternate("JSON", f"{base}/v1/collections/{collection_id}", "application/json"),
            Alternate("Documents as JSON", listed, "application/json"),
            Alternate("Documents as CSV", f"{listed}&format=csv", "text/csv"),
        ],
        canonical=f"{base}{_link('', collection_id, sort=shown_sort, cursor=cursor, limit=limit)}",
        collection=collection,
        documents=items,
        sort=order,
        sort_label=SORTS[order],
        sorts=[(key, label, _link(root, collection_id, sort=key)) for key, label in SORTS.items()],
        first_page=_link(root, collection_id, sort=shown_sort) if cursor else None,
        next_page=following,
        histogram=histogram,
        years=sorted(counted.items()),
        undated=undated,
        dated=dated,
        chart_label=chart_label,
    )
