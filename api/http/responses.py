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
    body = model(items=list(items), limit=limit, next=next_link(request, cursor))
    headers = {"Link": f'<{body.next}>; rel="next"'} if body.next else None
    return json_response(body, headers=headers)
