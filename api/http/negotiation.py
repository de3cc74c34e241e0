"""Content negotiation: the media types Quellen speaks, choosing one from ``Accept``, and
the responses in each.

Routes keep their JSON path as it was and negotiate in full only when the request carries
an ``Accept`` header that is not plain JSON or ``*/*`` (``wants_alternative``): the common
case costs one header lookup. Everything offered is listed in the route's OpenAPI
``responses``, and anything else gets a 406 problem listing what is offered (``negotiate``).
"""

import json
from typing import Any

from fastapi import Request, Response

from api.errors import ProblemError
from api.formats.csv import write_rows
from api.formats.jsonld.writer import MEDIA_TYPE as JSONLD
from api.http.pagination import encode_cursor, next_link

JSON = "application/json"
TEI = "application/tei+xml"
CSV = "text/csv"
NDJSON = "application/x-ndjson"
RESOURCE_TYPES = [JSON, JSONLD]
LIST_TYPES = [JSON, CSV]
VARY = {"Vary": "Accept"}
_PLAIN = frozenset({"", JSON, "*/*"})


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


def wants_alternative(request: Request) -> bool:
    """True when Accept asks for something other than JSON (then negotiate in full)."""
    accept = request.headers.get("accept")
    return accept is not None and accept.strip() not in _PLAIN


def jsonld_response(node: dict[str, Any]) -> Response:
    body = json.dumps(node, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, media_type=JSONLD, headers=VARY)


def csv_page(
    request: Request,
    columns: tuple[str, ...],
    rows: list[dict[str, Any]],
    *,
    cursor_kind: str,
    last_key: list[Any] | None,
) -> Response:
    """One page of a list as CSV, with the same ``Link: rel="next"`` as its JSON page."""
    cursor = encode_cursor(cursor_kind, last_key) if last_key is not None else None
    following = next_link(request, cursor)
    headers = dict(VARY)
    if following:
        headers["Link"] = f'<{following}>; rel="next"'
    return Response(write_rows(columns, rows), media_type=f"{CSV}; charset=utf-8", headers=headers)


def tei_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=f"{TEI}; charset=utf-8", headers={**VARY, **(headers or {})})


def jsonld_content(example: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI entry for a JSON-LD alternative to a route's JSON."""
    return {JSONLD: {"schema": {"type": "object"}, "example": example}}


TEI_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">'
    "<teiHeader>…</teiHeader><text><body><div><p>…</p></div></body></text></TEI>"
)
TEI_CONTENT = {TEI: {"schema": {"type": "string"}, "example": TEI_EXAMPLE}}
