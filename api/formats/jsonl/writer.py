"""The JSON Lines bundle: the project's own lossless export format.

One JSON object per line, each with a ``type``: a ``bundle`` header first, then
``collection``, ``entity``, ``event`` and ``document`` lines. Each object is the normalized
record the loader writes (api/records/record.py) with its default values left out (an
entity's own ``type`` is written ``entity_type``, beside the line's ``type``), so the
bundle carries everything a record can say — passages, footnotes, pages, identifiers,
curated and rejected mentions, curated cross-references, provenance, notes — and an import
of it writes exactly what was exported.

The order is fixed (collections, entities and events by id, documents by collection and id)
and nothing time-dependent is written, so exporting the same database twice, or exporting
a database that was loaded from a bundle, gives the same bytes.
"""

import json
from collections.abc import Iterator
from typing import IO, Any

from pydantic import BaseModel
from sqlmodel import Session

from api.records.read import (
    collection_records,
    document_ids,
    document_records,
    entity_records,
    event_records,
)

FORMAT = "quellen-bundle"
VERSION = 1


def line(kind: str, record: BaseModel | dict[str, Any]) -> str:
    """One bundle line: the record with ``type`` first, defaults left out, keys in model order."""
    body = (
        record.model_dump(mode="json", exclude_defaults=True)
        if isinstance(record, BaseModel)
        else record
    )
    if "type" in body:  # an entity's own type (person, place, …) is entity_type on the line
        body = {("entity_type" if key == "type" else key): value for key, value in body.items()}
    return json.dumps({"type": kind, **body}, ensure_ascii=False, separators=(",", ":")) + "\n"


def bundle_lines(session: Session, collection_id: str | None = None) -> Iterator[str]:
    """Every line of the bundle of the whole database, or of one collection."""
    ids = document_ids(session, collection_id)
    yield line("bundle", {"format": FORMAT, "version": VERSION})
    for collection in collection_records(session, collection_id):
        yield line("collection", collection)
    for entity in entity_records(session):
        yield line("entity", entity)
    for event in event_records(session, set(ids) if collection_id is not None else None):
        yield line("event", event)
    for record in document_records(session, ids):
        yield line("document", record)


def write_bundle(session: Session, out: IO[str], collection_id: str | None = None) -> int:
    """Write the bundle to ``out``; returns the number of documents written."""
    documents = 0
    for text in bundle_lines(session, collection_id):
        out.write(text)
        documents += text.startswith('{"type":"document"')
    return documents
