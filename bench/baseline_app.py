"""The yardstick for ``bench.read_throughput``: GET /v1/documents/{id} with nothing but
Starlette and the stdlib ``sqlite3`` module.

It does the lookup Quellen does, so that the ratio of the two measures what the framework,
ORM and serialization cost rather than a difference in work: the same document row with the
length of its text and the counts of its passages, footnotes and pages (correlated
subqueries, as in ``api.documents.service``), then its identifiers, serialized to the same
JSON shape with ``json.dumps``. A 404 is a bare problem document.

The endpoint is a plain ``def``, so Starlette runs it in its thread pool the way an ordinary
blocking handler would run; each pool thread keeps one connection (``sqlite3`` connections
may not be shared between threads) and the statements stay in that connection's statement
cache. There is no ETag, no validation and no ORM: this is the floor, not a competitor.

Run by the benchmark as ``uvicorn bench.baseline_app:app`` with ``QUELLEN_BENCH_SQLITE`` set
to the path of a migrated, seeded database.
"""

import datetime as dt
import json
import os
import sqlite3
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DATABASE = os.environ.get("QUELLEN_BENCH_SQLITE", "var/quellen.sqlite")

DETAIL_SQL = """
SELECT d.id, d.collection_id, d.title, d.authors, d.recipients, d.date, d.date_start,
       d.date_end, d.source_type, d.genre, d.language, d.number, d.provenance, d.notes,
       d.checksum, d.revision, d.created_at, d.updated_at, length(d.text),
       (SELECT count(*) FROM passage WHERE passage.document_id = d.id),
       (SELECT count(*) FROM footnote WHERE footnote.document_id = d.id),
       (SELECT count(*) FROM page_marker WHERE page_marker.document_id = d.id)
FROM document AS d
WHERE d.id = ?
"""

IDENTIFIERS_SQL = """
SELECT scheme, value FROM document_identifier WHERE document_id = ? ORDER BY scheme, value
"""

_local = threading.local()


def _connection() -> sqlite3.Connection:
    """This thread's connection, opened on first use (read-only, like every GET)."""
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True)
        _local.connection = connection
    return connection


def _timestamp(value: str) -> str:
    """SQLite stores UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``; the API answers in ISO 8601, UTC."""
    return dt.datetime.fromisoformat(value).isoformat() + "Z"


def _document(document_id: str, base: str) -> dict[str, Any] | None:
    connection = _connection()
    row = connection.execute(DETAIL_SQL, (document_id,)).fetchone()
    if row is None:
        return None
    identifiers = connection.execute(IDENTIFIERS_SQL, (document_id,)).fetchall()
    (
        doc_id,
        collection,
        title,
        authors,
        recipients,
        date,
        date_start,
        date_end,
        source_type,
        genre,
        language,
        number,
        provenance,
        notes,
        checksum,
        revision,
        created_at,
        updated_at,
        characters,
        passages,
        footnotes,
        pages,
    ) = row
    self_url = f"{base}/v1/documents/{doc_id}"
    return {
        "id": doc_id,
        "collection": collection,
        "title": title,
        "authors": json.loads(authors),
        "recipients": json.loads(recipients),
        "date": date,
        "date_start": date_start,
        "date_end": date_end,
        "source_type": source_type,
        "genre": genre,
        "language": language,
        "number": number,
        "identifiers": [{"scheme": s, "value": v} for s, v in identifiers],
        "provenance": json.loads(provenance),
        "notes": json.loads(notes),
        "checksum": checksum,
        "revision": revision,
        "created_at": _timestamp(created_at),
        "updated_at": _timestamp(updated_at),
        "counts": {
            "passages": passages,
            "footnotes": footnotes,
            "pages": pages,
            "characters": characters,
        },
        "links": {
            "self": self_url,
            "collection": f"{base}/v1/collections/{collection}",
            "text": f"{self_url}/text",
            "passages": f"{self_url}/passages",
            "footnotes": f"{self_url}/footnotes",
            "pages": f"{self_url}/pages",
        },
    }


async def get_document(request: Request) -> Response:
    document_id = request.path_params["document_id"]
    # links are absolute, from the request's scheme and Host, as Quellen writes them
    base = f"{request.url.scheme}://{request.headers.get('host', 'localhost')}"
    document = _document(document_id, base)
    if document is None:
        problem = {"title": "Not Found", "status": 404, "detail": f"No document {document_id!r}."}
        return Response(json.dumps(problem), 404, media_type="application/problem+json")
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json")


app = Starlette(routes=[Route("/v1/documents/{document_id}", get_document)])
