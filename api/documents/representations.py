"""A document in representations other than JSON: JSON-LD, TEI and a CSV list.

The generic part (media types, choosing one from ``Accept``, a JSON-LD, TEI or CSV response)
is ``api.http.negotiation``'s; this module turns a document into those representations and
holds the OpenAPI examples of them.
"""

from typing import Any

from fastapi import Request, Response
from sqlalchemy import Engine

from api.documents.schemas import DocumentSummary
from api.formats.csv import DOCUMENT_COLUMNS
from api.http.negotiation import (
    CSV,
    JSON,
    JSONLD,
    TEI,
    csv_page,
    jsonld_response,
    tei_response,
)

DOCUMENT_TYPES = [JSON, JSONLD, TEI]

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


def document_alternative(
    engine: Engine, document_id: str, media_type: str, *, base: str
) -> Response:
    """A document as JSON-LD or TEI (run in the thread pool: it reads several tables).

    ``base`` is the absolute base URL of the API, the prefix of the JSON-LD ``@id``s.
    """
    from sqlmodel import Session

    from api.documents import linked_data
    from api.documents.service import require_document
    from api.formats.tei import writer as tei

    with Session(engine) as session:
        if media_type == JSONLD:
            return jsonld_response(
                linked_data.document_jsonld(session, document_id=document_id, base=base)
            )
        require_document(session, document_id)
        return tei_response(tei.document_tei(session, document_id))


def document_csv(
    request: Request,
    items: list[DocumentSummary],
    *,
    base: str,
    cursor_kind: str,
    last_key: list[Any] | None,
) -> Response:
    """A page of the document list as CSV; ``base`` is absolute, for the ``url`` column."""
    rows = [{**item.model_dump(), "url": f"{base}/v1/documents/{item.id}"} for item in items]
    return csv_page(request, DOCUMENT_COLUMNS, rows, cursor_kind=cursor_kind, last_key=last_key)


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
