"""The one loader: writes normalized records to the database.

It flushes but never commits: whoever calls it (the seed loader, the CLI, an upload) owns
the transaction, so a document is written whole or not at all.
"""

from enum import StrEnum

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from api.ingest.errors import IngestError
from api.ingest.record import CollectionRecord, DocumentRecord, normalize_identifier
from api.models import Collection, Document, DocumentIdentifier, Footnote, PageMarker, Passage
from api.models.base import utcnow


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def write_collection(session: Session, record: CollectionRecord) -> Outcome:
    existing = session.get(Collection, record.id)
    if existing is None:
        session.add(Collection(**record.model_dump()))
        session.flush()
        return Outcome.NEW
    changed = False
    for key, value in record.model_dump().items():
        if getattr(existing, key) != value:
            setattr(existing, key, value)
            changed = True
    if changed:
        existing.updated_at = utcnow()
        session.flush()
        return Outcome.UPDATED
    return Outcome.UNCHANGED


def write_document(session: Session, record: DocumentRecord) -> Outcome:
    """Insert the document or replace its content as a new revision."""
    if session.get(Collection, record.collection_id) is None:
        raise IngestError(
            None, f"document {record.id!r}: collection {record.collection_id!r} does not exist"
        )
    span = record.date_range
    fields = {
        "collection_id": record.collection_id,
        "title": record.title,
        "authors": list(record.authors),
        "recipients": list(record.recipients),
        "date": record.date,
        "date_start": span.start if span else None,
        "date_end": span.end if span else None,
        "source_type": record.source_type,
        "genre": record.genre,
        "language": record.language,
        "number": record.number,
        "provenance": record.provenance.model_dump(exclude_none=True),
        "notes": [note.model_dump() for note in record.notes],
        "text": record.text,
        "checksum": record.checksum,
    }
    existing = session.get(Document, record.id)
    if existing is None:
        session.add(Document(id=record.id, **fields))
        outcome = Outcome.NEW
    else:
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.revision += 1
        existing.updated_at = utcnow()
        for table in (Footnote, PageMarker, Passage, DocumentIdentifier):
            session.execute(delete(table).where(table.document_id == record.id))  # type: ignore[arg-type]
        outcome = Outcome.UPDATED
    session.flush()
    _write_parts(session, record)
    return outcome


def _write_parts(session: Session, record: DocumentRecord) -> None:
    """Bulk-insert passages, notes, pages and identifiers (executemany, not one ORM object each)."""
    session.execute(
        insert(Passage),
        [
            {
                "document_id": record.id,
                "seq": seq,
                "ref": p.ref,
                "kind": p.kind,
                "boilerplate": p.boilerplate,
                "section_ref": p.section_ref,
                "text": p.text,
                "start_offset": p.start,
                "end_offset": p.end,
                "page": p.page,
            }
            for seq, p in enumerate(record.passages, start=1)
        ],
    )
    if record.footnotes:
        rows = session.execute(
            select(Passage.ref, Passage.id).where(Passage.document_id == record.id)
        ).all()
        passage_ids = {ref: passage_id for ref, passage_id in rows}
        session.execute(
            insert(Footnote),
            [
                {
                    "document_id": record.id,
                    "ref": note.ref,
                    "marker": note.marker,
                    "number": note.number,
                    "text": note.text,
                    "passage_id": passage_ids[note.passage_ref] if note.passage_ref else None,
                    "offset": note.offset,
                }
                for note in record.footnotes
            ],
        )
    if record.pages:
        session.execute(
            insert(PageMarker),
            [
                {"document_id": record.id, "seq": seq, "n": page.n, "offset": page.offset}
                for seq, page in enumerate(record.pages, start=1)
            ],
        )
    identifiers = {(i.scheme, i.value) for i in record.identifiers}
    identifiers |= {(a.scheme, a.value) for a in record.provenance.archival_ids}
    if identifiers:
        session.execute(
            insert(DocumentIdentifier),
            [
                {
                    "document_id": record.id,
                    "scheme": scheme,
                    "value": value,
                    "normalized": normalize_identifier(value),
                }
                for scheme, value in sorted(identifiers)
            ],
        )
