"""Entities in representations other than JSON: the list as CSV, and the OpenAPI examples
of an entity's CSV and JSON-LD."""

from typing import Any

from fastapi import Request, Response

from api.entities.schemas import EntitySummary
from api.formats.csv import ENTITY_COLUMNS
from api.http.negotiation import CSV, csv_page

CSV_CONTENT_ENTITIES = {
    CSV: {
        "schema": {"type": "string"},
        "example": "id,type,name,date,url\r\njoseph-stalin,person,Joseph Stalin,"
        "1878-12-18/1953-03-05,http://127.0.0.1:8000/v1/entities/joseph-stalin\r\n",
    }
}


def entity_csv(
    request: Request,
    items: list[EntitySummary],
    *,
    base: str,
    cursor_kind: str,
    last_key: list[Any] | None,
) -> Response:
    """A page of the entity list as CSV; ``base`` is absolute, for the ``url`` column."""
    rows = [{**item.model_dump(), "url": f"{base}/v1/entities/{item.id}"} for item in items]
    return csv_page(request, ENTITY_COLUMNS, rows, cursor_kind=cursor_kind, last_key=last_key)


_BASE = "http://127.0.0.1:8000"
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
