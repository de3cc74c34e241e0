"""The one loader: writes normalized records to the database.

It flushes but never commits: whoever calls it (the seed loader, the CLI, an upload) owns
the transaction, so a document is written whole or not at all.
"""

from enum import StrEnum

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from api.dates import parse_edtf
from api.ingest.errors import IngestError
from api.ingest.record import (
    CollectionRecord,
    DocumentRecord,
    EntityRecord,
    EventRecord,
    fold_case,
    normalize_identifier,
)
from api.ingest.registry import Registry
from api.models import (
    Collection,
    CrossReference,
    Document,
    DocumentIdentifier,
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    EventReport,
    Footnote,
    Mention,
    PageMarker,
    Passage,
)
from api.models.base import utcnow
from api.search.normalize import fold


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
    """Insert the document; replace it as a new revision if the record changed; else skip.

    The look-ups and the insert of a new document go straight to the connection: an import
    writes thousands of documents, and the ORM's identity map and unit of work cost more
    than the statements themselves. A changed document is updated through the ORM, so a
    caller holding it sees the new revision.
    """
    connection = session.connection()
    collection = select(Collection.id).where(Collection.id == record.collection_id)
    if connection.execute(collection).first() is None:
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
        "fingerprint": record.fingerprint,
    }
    stored = connection.execute(
        select(Document.fingerprint).where(Document.id == record.id)
    ).first()
    if stored is not None and stored.fingerprint == fields["fingerprint"]:
        return Outcome.UNCHANGED
    if stored is None:
        now = utcnow()
        row = {"id": record.id, **fields, "revision": 1, "created_at": now, "updated_at": now}
        _insert(session, Document, [row])
        outcome = Outcome.NEW
    else:
        existing = session.get(Document, record.id)
        assert existing is not None
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.revision += 1
        existing.updated_at = utcnow()
        session.execute(delete(Mention).where(Mention.document_id == record.id))  # type: ignore[arg-type]
        session.execute(
            delete(CrossReference).where(
                CrossReference.source_document_id == record.id,  # type: ignore[arg-type]
                CrossReference.origin != "inferred",  # type: ignore[arg-type]
            )
        )
        for table in (Footnote, PageMarker, Passage, DocumentIdentifier):
            session.execute(delete(table).where(table.document_id == record.id))  # type: ignore[arg-type]
        outcome = Outcome.UPDATED
    session.flush()
    _write_parts(session, record)
    return outcome


def _insert(session: Session, model: type, rows: list[dict[str, object]]) -> None:
    """executemany on the table itself: the ORM's bulk path costs more than the insert."""
    session.connection().execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


def _write_parts(session: Session, record: DocumentRecord) -> None:
    """Bulk-insert passages, notes, pages and identifiers (executemany, not one ORM object each)."""
    _insert(
        session,
        Passage,
        [
            {
                "document_id": record.id,
                "seq": seq,
                "ref": p.ref,
                "kind": p.kind,
                "boilerplate": p.boilerplate,
                "section_ref": p.section_ref,
                "text": p.text,
                "norm_text": fold(p.text),
                "start_offset": p.start,
                "end_offset": p.end,
                "page": p.page,
            }
            for seq, p in enumerate(record.passages, start=1)
        ],
    )
    rows = session.connection().execute(
        select(Passage.ref, Passage.id).where(Passage.document_id == record.id)
    )
    passage_ids = {ref: passage_id for ref, passage_id in rows}
    if record.footnotes:
        _insert(
            session,
            Footnote,
            [
                {
                    "document_id": record.id,
                    "ref": note.ref,
                    "marker": note.marker,
                    "number": note.number,
                    "text": note.text,
                    "norm_text": fold(note.text),
                    "passage_id": passage_ids[note.passage_ref] if note.passage_ref else None,
                    "offset": note.offset,
                }
                for note in record.footnotes
            ],
        )
    if record.pages:
        _insert(
            session,
            PageMarker,
            [
                {"document_id": record.id, "seq": seq, "n": page.n, "offset": page.offset}
                for seq, page in enumerate(record.pages, start=1)
            ],
        )
    identifiers = {(i.scheme, i.value) for i in record.identifiers}
    identifiers |= {(a.scheme, a.value) for a in record.provenance.archival_ids}
    if identifiers:
        _insert(
            session,
            DocumentIdentifier,
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
    footnote_ids: dict[str, int] = {}
    if record.footnotes:
        footnote_rows = session.connection().execute(
            select(Footnote.ref, Footnote.id).where(Footnote.document_id == record.id)
        )
        footnote_ids = {ref: note_id for ref, note_id in footnote_rows}
    if record.mentions:
        known = set(
            session.execute(
                select(Entity.id).where(Entity.id.in_({m.entity_id for m in record.mentions}))  # type: ignore[attr-defined]
            ).scalars()
        )
        for mention in record.mentions:
            if mention.entity_id not in known:
                raise IngestError(
                    None,
                    f"document {record.id!r}: mention {mention.surface!r} names unknown entity "
                    f"{mention.entity_id!r}",
                )
        _insert(
            session,
            Mention,
            [
                {
                    "document_id": record.id,
                    "passage_id": passage_ids[m.ref] if m.container == "passage" else None,
                    "footnote_id": footnote_ids[m.ref] if m.container == "footnote" else None,
                    "entity_id": m.entity_id,
                    "start": m.start,
                    "end": m.end,
                    "surface": m.surface,
                    "status": m.status,
                }
                for m in record.mentions
            ],
        )
    if record.cross_references:
        _insert(
            session,
            CrossReference,
            [
                {
                    "relation": x.relation,
                    "origin": "curated",
                    "source_document_id": record.id,
                    "source_passage_id": passage_ids[x.ref] if x.container == "passage" else None,
                    "source_footnote_id": footnote_ids[x.ref]
                    if x.container == "footnote"
                    else None,
                    "source_start": x.start,
                    "source_end": x.end,
                    "target_document_id": None,
                    "target_passage_ref": x.target.passage,
                    "target_footnote_ref": x.target.footnote,
                    "target_scheme": "document" if x.target.document else x.target.scheme,
                    "target_value": x.target.document or x.target.value,
                    "target_key": normalize_identifier(x.target.document or x.target.value or ""),
                    "target_label": x.target.label,
                }
                for x in record.cross_references
            ],
        )


def _entity_fields(record: EntityRecord | EventRecord, type_: str) -> dict[str, object]:
    span = parse_edtf(record.date) if record.date else None
    return {
        "type": type_,
        "name": record.name,
        "description": record.description,
        "date": record.date,
        "date_start": span.start if span else None,
        "date_end": span.end if span else None,
        "external_ids": dict(record.external_ids),
        "members": list(getattr(record, "members", [])),
    }


def write_registry(session: Session, registry: Registry) -> dict[Outcome, int]:
    """Upsert every entity and event, with aliases, places and participants.

    Event reports name documents, so they are written by ``write_event_reports`` once the
    documents are in.
    """
    counts = dict.fromkeys(Outcome, 0)
    records: list[tuple[EntityRecord | EventRecord, str]] = [
        *((e, e.type) for e in registry.entities),
        *((e, "event") for e in registry.events),
    ]
    for record, type_ in records:
        fields = _entity_fields(record, type_)
        existing = session.get(Entity, record.id)
        if existing is None:
            session.add(Entity(id=record.id, **fields))  # type: ignore[arg-type]
            counts[Outcome.NEW] += 1
        else:
            changed = any(getattr(existing, k) != v for k, v in fields.items())
            for key, value in fields.items():
                setattr(existing, key, value)
            if changed:
                existing.revision += 1
                existing.updated_at = utcnow()
            counts[Outcome.UPDATED if changed else Outcome.UNCHANGED] += 1
    session.flush()
    ids = [record.id for record, _ in records]
    session.execute(delete(EntityAlias).where(EntityAlias.entity_id.in_(ids)))  # type: ignore[attr-defined]
    session.flush()
    aliases = [
        {
            "entity_id": r.id,
            "text": a.text,
            "key": fold_case(a.text),
            "case_sensitive": a.case_sensitive,
        }
        for r, _ in records
        for a in r.aliases
    ]
    if aliases:
        clash = session.execute(
            select(EntityAlias.key, EntityAlias.entity_id).where(
                EntityAlias.key.in_({a["key"] for a in aliases})  # type: ignore[attr-defined]
            )
        ).first()
        if clash is not None:
            raise IngestError(None, f"alias {clash.key!r} already belongs to {clash.entity_id!r}")
        session.execute(insert(EntityAlias), aliases)
    event_ids = [e.id for e in registry.events]
    if event_ids:
        session.execute(delete(EventParticipant).where(EventParticipant.event_id.in_(event_ids)))  # type: ignore[attr-defined]
        for event in registry.events:
            row = session.get(Event, event.id)
            if row is None:
                session.add(Event(id=event.id, event_type=event.event_type, place_id=event.place))
            else:
                row.event_type, row.place_id = event.event_type, event.place
        session.flush()
        participants = [
            {"event_id": e.id, "entity_id": p.entity, "role": p.role}
            for e in registry.events
            for p in e.participants
        ]
        if participants:
            session.execute(insert(EventParticipant), participants)
    session.flush()
    return counts


def write_event_reports(session: Session, registry: Registry) -> None:
    """Link events to the documents and passages that report them (documents must exist)."""
    event_ids = [e.id for e in registry.events]
    if not event_ids:
        return
    session.execute(delete(EventReport).where(EventReport.event_id.in_(event_ids)))  # type: ignore[attr-defined]
    reports = {(e.id, r.document, r.passage) for e in registry.events for r in e.reported_in}
    documents = {doc for _, doc, _ in reports}
    present = set(
        session.execute(select(Document.id).where(Document.id.in_(documents))).scalars()  # type: ignore[attr-defined]
    )
    passages = {
        (row.document_id, row.ref)
        for row in session.execute(
            select(Passage.document_id, Passage.ref).where(Passage.document_id.in_(documents))  # type: ignore[attr-defined]
        ).all()
    }
    for event_id, document_id, passage_ref in sorted(reports, key=str):
        if document_id not in present:
            raise IngestError(
                None, f"event {event_id!r}: reported in unknown document {document_id!r}"
            )
        if passage_ref is not None and (document_id, passage_ref) not in passages:
            raise IngestError(
                None, f"event {event_id!r}: no passage {passage_ref!r} in {document_id!r}"
            )
    if reports:
        _insert(
            session,
            EventReport,
            [
                {"event_id": e, "document_id": d, "passage_ref": p}
                for e, d, p in sorted(reports, key=str)
            ],
        )
    session.flush()
