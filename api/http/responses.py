"""Fast JSON responses and media-type negotiation.

Routes return ``json_response(model)`` instead of letting FastAPI validate and re-serialize
the model: the model was built from typed rows and pydantic-core dumps it once. The
``response_model`` declared on each route still documents the shape in OpenAPI.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from api.errors import ProblemError
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


def _accept_entries(accept: str) -> list[tuple[str, float]]:
    entries: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        entries.append((fields[0].lower(), quality))
    return entries


def negotiate(request: Request, offered: list[str]) -> str:
    """Pick the best offered media type for the Accept header; 406 when none is acceptable.

    The first offered type is the default for a missing Accept or ``*/*``.
    """
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for rank, media_type in enumerate(offered):
        main = media_type.split("/")[0]
        quality = max(
            (
                q
                for pattern, q in _accept_entries(accept)
                if pattern in (media_type, f"{main}/*", "*/*")
            ),
            default=0.0,
        )
        if quality > 0 and (best is None or (quality, -rank) > (best[0], best[1])):
            best = (quality, -rank, media_type)
    if best is None:
        raise ProblemError(
            406,
            f"Cannot answer with any media type in Accept: {accept!r}. "
            f"Offered: {', '.join(offered)}.",
        )
    return best[2]


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
