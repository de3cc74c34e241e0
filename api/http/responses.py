"""Fast JSON responses and pages.

Routes return ``json_response(model)`` instead of letting FastAPI validate and re-serialize
the model: the model was built from typed rows and pydantic-core dumps it once. The
``response_model`` declared on each route still documents the shape in OpenAPI.
Choosing a media type from ``Accept`` is ``api.http.negotiation``'s.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from api.http.pagination import encode_cursor, next_link
from api.schemas import Page
from api.versions import body_of


def json_response(
    model: BaseModel, *, headers: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    return Response(
        content=body_of(model),
        media_type="application/json",
        headers=headers,
        status_code=status_code,
    )


def self_link(request: Request) -> str:
    """URL of the page or resource asked for, with its query parameters.

    Built by ``next_link`` from the cursor this request came with, so that ``self`` and
    ``next`` are alike (the same base, the same parameters); without a cursor, it is the
    link to the first page, less the empty cursor asked for.
    """
    cursor = request.query_params.get("cursor")
    link = next_link(request, cursor or "")
    assert link is not None  # a cursor, empty or not, always makes a link
    if cursor:
        return link
    return link.removesuffix("cursor=").removesuffix("&").removesuffix("?")


def page_response(
    request: Request,
    model: type[Page[Any]],
    items: Sequence[BaseModel],
    *,
    limit: int,
    cursor_kind: str,
    last_key: list[Any] | None,
) -> Response:
    """A page of a list, with ``next`` in the body and in a ``Link`` header."""
    cursor = encode_cursor(cursor_kind, last_key) if last_key is not None else None
    body = model(
        items=list(items),
        limit=limit,
        next=next_link(request, cursor),
        links={"self": self_link(request)},
    )
    headers = {"Link": f'<{body.next}>; rel="next"'} if body.next else None
    return json_response(body, headers=headers)
