"""Content negotiation for the routes that speak more than JSON.

Routes keep their JSON path as it was and call in here only when the request carries an
``Accept`` header that is not plain JSON or ``*/*`` — the common case costs one header
lookup. Everything offered is listed in the route's OpenAPI ``responses``, and anything
else gets a 406 problem listing what is offered (``api.http.responses.negotiate``).
"""

import json
from typing import Any

from fastapi import Request, Response

from api.formats.csv import DOCUMENT_COLUMNS, ENTITY_COLUMNS, write_rows
from api.formats.jsonld.writer import MEDIA_TYPE as JSONLD
from api.http.pagination import encode_cursor, next_link

JSON = "application/json"
TEI = "application/tei+xml"
CSV = "text/csv"
NDJSON = "application/x-ndjson"
DOCUMENT_TYPES = [JSON, JSONLD, TEI]
RESOURCE_TYPES = [JSON, JSONLD]
LIST_TYPES = [JSON, CSV]
VARY = {"Vary": "Accept"}
_PLAIN = frozenset({"", JSON, "*/*"})


def wants_alternative(request: Request) -> bool:
    """True when Accept asks for something other than JSON (then negotiate in full)."""
    accept = request.headers.get("accept")
    return accept is not None and accept.strip() not in _PLAIN


def absolute_base(request: Request) -> str:
    """Scheme, host and root path: the prefix of every stable ``@id`` Quellen writes."""
    return str(request.base_url).rstrip("/")


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
CSV_CONTENT_DOCUMENTS = {
    CSV: {
        "schema": {"type": "string"},
        "example": "id,collection,title,authors,date,date_start,date_end,source_type,genre,"
        "language,url\r\nharriman-to-secretary-of-state-1944-09-24,frus-1944-v04,The Ambassador"
        " in the Soviet Union (Harriman) to the Secretary of State,W. Averell Harriman,"
        "1944-09-24,1944-09-24,1944-09-24,primary,telegram,en,http://127.0.0.1:8000/v1/"
        "documents/harriman-to-secretary-of-state-1944-09-24\r\n",
    }
}
CSV_CONTENT_ENTITIES = {
    CSV: {
        "schema": {"type": "string"},
        "example": "id,type,name,date,url\r\njoseph-stalin,person,Joseph Stalin,"
        "1878-12-18/1953-03-05,http://127.0.0.1:8000/v1/entities/joseph-stalin\r\n",
    }
}


def document_alternative(request: Request, document_id: str, media_type: str) -> Response:
    """A document as JSON-LD or TEI (run in the thread pool: it reads several tables)."""
    from sqlmodel import Session

    from api.documents import linked_data
    from api.documents.service import require_document
    from api.formats.tei import writer as tei

    base = absolute_base(request)
    with Session(request.app.state.engine) as session:
        if media_type == JSONLD:
            return jsonld_response(
                linked_data.document_jsonld(session, document_id=document_id, base=base)
            )
        require_document(session, document_id)
        return tei_response(tei.document_tei(session, document_id))


def document_csv(
    request: Request, items: list[Any], *, cursor_kind: str, last_key: list[Any] | None
) -> Response:
    base = absolute_base(request)
    rows = [{**item.model_dump(), "url": f"{base}/v1/documents/{item.id}"} for item in items]
    return csv_page(request, DOCUMENT_COLUMNS, rows, cursor_kind=cursor_kind, last_key=last_key)


def entity_csv(
    request: Request, items: list[Any], *, cursor_kind: str, last_key: list[Any] | None
) -> Response:
    base = absolute_base(request)
    rows = [{**item.model_dump(), "url": f"{base}/v1/entities/{item.id}"} for item in items]
    return csv_page(request, ENTITY_COLUMNS, rows, cursor_kind=cursor_kind, last_key=last_key)


_BASE = "http://127.0.0.1:8000"
_TELEGRAM = f"{_BASE}/v1/documents/harriman-to-secretary-of-state-1944-09-24"
DOCUMENT_JSONLD_EXAMPLE: dict[str, Any] = {
    "@context": {"@vocab": "https://schema.org/", "sameAs": {"@type": "@id"}},
    "@id": _TELEGRAM,
    "@type": ["Message", "ArchiveComponent"],
    "name": "The Ambassador in the Soviet Union (Harriman) to the Secretary of State",
    "author": [
        {
            "@id": f"{_BASE}/v1/entities/w-averell-harriman",
            "@type": "Person",
            "name": "W. Averell Harriman",
        }
    ],
    "recipient": [{"@type": "Person", "name": "Secretary of State"}],
    "dateCreated": "1944-09-24",
    "identifier": [
        {"@type": "PropertyValue", "propertyID": "file_number", "value": "711.62114/9–2444"}
    ],
    "mentions": [
        {
            "@id": f"{_BASE}/v1/entities/walter-edward-guinness",
            "@type": "Person",
            "name": "Walter Edward Guinness, 1st Baron Moyne",
        }
    ],
}
ENTITY_JSONLD_EXAMPLE: dict[str, Any] = {
    "@context": {"@vocab": "https://schema.org/", "sameAs": {"@type": "@id"}},
    "@id": f"{_BASE}/v1/entities/joseph-stalin",
    "@type": "Person",
    "name": "Joseph Stalin",
    "alternateName": ["Stalin"],
    "birthDate": "1878-12-18",
    "deathDate": "1953-03-05",
    "sameAs": ["http://www.wikidata.org/entity/Q855"],
}
EVENT_JSONLD_EXAMPLE: dict[str, Any] = {
    "@context": {"@vocab": "https://schema.org/", "sameAs": {"@type": "@id"}},
    "@id": f"{_BASE}/v1/events/yalta-conference",
    "@type": "Event",
    "name": "Yalta Conference",
    "startDate": "1945-02-04",
    "endDate": "1945-02-11",
    "location": {"@id": f"{_BASE}/v1/entities/yalta", "@type": "Place", "name": "Yalta"},
    "attendee": [
        {
            "@type": "Role",
            "roleName": "head of the Soviet delegation",
            "attendee": {"@id": f"{_BASE}/v1/entities/joseph-stalin", "@type": "Person"},
        }
    ],
}
