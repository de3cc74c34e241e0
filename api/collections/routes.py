"""GET /v1/collections and /v1/collections/{id}."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.collections import service
from api.collections.schemas import CollectionList, CollectionPublic
from api.deps import BaseUrl, SessionDep
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response

router = APIRouter(prefix="/collections", tags=["collections"])

CollectionId = Annotated[
    str,
    Path(max_length=120, description="collection id (slug)", examples=["frus-1944-v04"]),
]


@router.get(
    "",
    response_model=CollectionList,
    summary="List collections",
    description="Every collection with its document count, ordered by id, paginated with "
    "an opaque cursor.",
    responses=problem_responses(400, 422),
)
def list_collections(
    request: Request, session: SessionDep, page: PageDep, base: BaseUrl
) -> Response:
    after = decode_cursor(page.cursor, "collections", (str,))[0] if page.cursor else None
    items, last = service.list_collections(session, after=after, limit=page.limit, base=base)
    return page_response(
        request,
        CollectionList,
        items,
        limit=page.limit,
        cursor_kind="collections",
        last_key=[last] if last is not None else None,
    )


@router.get(
    "/{collection_id}",
    response_model=CollectionPublic,
    summary="Get one collection",
    description="A collection's metadata, its document count and a link to its documents.",
    responses=problem_responses(404, 422),
)
def get_collection(session: SessionDep, collection_id: CollectionId, base: BaseUrl) -> Response:
    return json_response(service.get_collection(session, collection_id=collection_id, base=base))
