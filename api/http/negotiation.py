"""Content negotiation: the media types Quellen speaks, choosing one from ``Accept``, and
the responses in each.

Routes keep their JSON path as it was and negotiate in full only when the request carries
an ``Accept`` header that is not plain JSON or ``*/*`` (``wants_alternative``): the common
case costs one header lookup. Everything offered is listed in the route's OpenAPI
``responses``, and anything else gets a 406 problem listing what is offered (``negotiate``).
Accept is parsed by python-mimeparse; ``?format=`` in a link stands in for it
(``api.http.downloads``).
"""

import json
from typing import Any

import mimeparse
from fastapi import Request, Response

from api.errors import ProblemError
from api.formats.csv import write_rows
from api.formats.jsonld.writer import MEDIA_TYPE as JSONLD
from api.http.downloads import FORMATS, chosen_format, not_offered
from api.http.pagination import encode_cursor, next_link

JSON = "application/json"
TEI = "application/tei+xml"
CSV = "text/csv"
NDJSON = "application/x-ndjson"
RESOURCE_TYPES = [JSON, JSONLD]
LIST_TYPES = [JSON, CSV]
VARY = {"Vary": "Accept"}
_PLAIN = frozenset({"", JSON, "*/*"})


def _media_ranges(accept: str) -> str:
    """The well-formed media ranges of ``accept``, lower-cased; malformed ones name nothing."""
    ranges: list[str] = []
    for part in accept.lower().split(","):
        if not part.strip():
            continue
        try:
            mimeparse.parse_media_range(part)
        except ValueError:  # mimeparse.MimeTypeParseException: no type/subtype
            continue
        ranges.append(part)
    return ",".join(ranges)


def negotiate(request: Request, offered: list[str]) -> str:
    """Pick the best offered media type for the Accept header; 406 when none is acceptable.

    python-mimeparse weighs each offered type by the most specific range that matches it
    (``text/csv;q=0`` excludes CSV even beside ``*/*``), ignoring parameters the offered
    type does not have (``;charset=utf-8``, ``;profile=…``); ``q=0`` is not acceptable.
    Ties of quality and specificity go to the first offered type, which is also the answer
    to a missing Accept or ``*/*``. A request that asked by ``?format=``
    (``api.http.downloads``) gets that type or a 400 naming the formats offered here.
    """
    chosen = chosen_format(request)
    if chosen is not None:
        if FORMATS[chosen] not in offered:
            raise not_offered(chosen, offered)
        return FORMATS[chosen]
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return offered[0]
    # mimeparse prefers the last of equals: reversed, the first offered wins a tie
    best = str(mimeparse.best_match(offered[::-1], _media_ranges(accept)))
    if not best:
        raise ProblemError(
            406,
            f"Cannot answer with any media type in Accept: {accept!r}. "
            f"Offered: {', '.join(offered)}.",
        )
    return best


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


def bundle_response(lines: str) -> Response:
    """A resource as lines of the Quellen bundle (JSON Lines), as ``quellen export`` writes."""
    return Response(lines.encode("utf-8"), media_type=NDJSON, headers=VARY)


def bundle_content(example: str) -> dict[str, Any]:
    """The OpenAPI entry for a resource's bundle lines, an alternative to its JSON."""
    return {NDJSON: {"schema": {"type": "string"}, "example": example}}
