"""The one loader: writes normalized records to the database.

It flushes but never commits: whoever calls it (the seed loader, the CLI, an upload) owns
the transaction, so a document is written whole or not at all.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, delete, insert, select
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
    """Write one record (see ``write_documents``)."""
    return write_documents(session, [record])[0]


def write_documents(session: Session, records: Sequence[DocumentRecord]) -> list[Outcome]:
    """Insert new documents; replace changed ones as a new revision; skip unchanged ones.

    Returns one outcome per record, in order. A batch is written with a handful of
    statements whatever its size (look-ups, then one ``executemany`` per table): an import
    writes thousands of documents, and a statement per document and table would cost more
    than the rows themselves. New documents and their parts go straight to the connection,
    skipping the ORM's identity map and unit of work; a changed document is updated through
    the ORM, so a caller holding it sees the new revision. A record naming an id that an
    earlier record of the same call named is written after it, as its update.
    """
    outcomes: list[Outcome] = []
    run: list[DocumentRecord] = []
    ids: set[str] = set()
    for record in records:
        if record.id in ids or len(run) == _RUN:
            outcomes.extend(_write_run(session, run))
            run, ids = [], set()
        run.append(record)
        ids.add(record.id)
    if run:
        outcomes.extend(_write_run(session, run))
    return outcomes


_RUN = 500  # records per round of statements: IN lists stay well below every engine's limit


def _document_fields(record: DocumentRecord) -> dict[str, Any]:
    span = record.date_range
    return {
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


def _write_run(session: Session, records: list[DocumentRecord]) -> list[Outcome]:
    """Write records with distinct ids."""
    connection = session.connection()
    wanted = {record.collection_id for record in records}
    present = set(
        connection.execute(select(Collection.id).where(Collection.id.in_(wanted))).scalars()  # type: ignore[attr-defined]
    )
    for record in records:
        if record.collection_id not in present:
            raise IngestError(
                None, f"document {record.id!r}: collection {record.collection_id!r} does not exist"
            )
    stored = dict(
        connection.execute(
            select(Document.id, Document.fingerprint).where(
                Document.id.in_([record.id for record in records])  # type: ignore[attr-defined]
            )
        ).all()
    )
    outcomes: list[Outcome] = []
    written: list[DocumentRecord] = []
    new_rows: list[dict[str, Any]] = []
    now = utcnow()
    for record in records:
        fields = _document_fields(record)
        if record.id not in stored:
            new_rows.append(
                {"id": record.id, **fields, "revision": 1, "created_at": now, "updated_at": now}
            )
            outcomes.append(Outcome.NEW)
        elif stored[record.id] == fields["fingerprint"]:
            outcomes.append(Outcome.UNCHANGED)
            continue
        else:
            _replace(session, record.id, fields)
            outcomes.append(Outcome.UPDATED)
        written.append(record)
    if new_rows:
        _insert(connection, Document, new_rows)
    if len(new_rows) < len(written):
        session.flush()
    if written:
        _write_parts(connection, written)
    return outcomes


def _replace(session: Session, document_id: str, fields: dict[str, Any]) -> None:
    """Make the stored document the record's next revision, its old parts gone."""
    existing = session.get(Document, document_id)
    assert existing is not None
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.revision += 1
    existing.updated_at = utcnow()
    session.execute(delete(Mention).where(Mention.document_id == document_id))  # type: ignore[arg-type]
    session.execute(
        delete(CrossReference).where(
            CrossReference.source_document_id == document_id,  # type: ignore[arg-type]
            CrossReference.origin != "inferred",  # type: ignore[arg-type]
        )
    )
    for table in (Footnote, PageMarker, Passage, DocumentIdentifier):
        session.execute(delete(table).where(table.document_id == document_id))  # type: ignore[arg-type]


def _insert(connection: Connection, model: type, rows: list[dict[str, Any]]) -> None:
    """executemany on the table itself: the ORM's bulk path costs more than the insert."""
    if rows:
        connection.execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


def _ids(
    connection: Connection, model: type, records: list[DocumentRecord]
) -> dict[tuple[str, str], int]:
    """(document id, ref) → row id of the passages or footnotes just written."""
    rows = connection.execute(
        select(model.document_id, model.ref, model.id).where(  # type: ignore[attr-defined]
            model.document_id.in_([record.id for record in records])  # type: ignore[attr-defined]
        )
    )
    return {(document_id, ref): row_id for document_id, ref, row_id in rows}


def _write_parts(connection: Connection, records: list[DocumentRecord]) -> None:
    """Passages, notes, pages, identifiers, mentions and references: one executemany each."""
    _insert(
        connection,
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
            for record in records
            for seq, p in enumerate(record.passages, start=1)
        ],
    )
    anchored = [r for r in records if r.footnotes or r.mentions or r.cross_references]
    passage_ids = _ids(connection, Passage, anchored) if anchored else {}
    _insert(
        connection,
        Footnote,
        [
            {
                "document_id": record.id,
                "ref": note.ref,
                "marker": note.marker,
                "number": note.number,
                "text": note.text,
                "norm_text": fold(note.text),
                "passage_id": passage_ids[record.id, note.passage_ref]
                if note.passage_ref
                else None,
                "offset": note.offset,
            }
            for record in records
            for note in record.footnotes
        ],
    )
    _insert(
        connection,
        PageMarker,
        [
            {"document_id": record.id, "seq": seq, "n": page.n, "offset": page.offset}
            for record in records
            for seq, page in enumerate(record.pages, start=1)
        ],
    )
    _insert(connection, DocumentIdentifier, [row for r in records for row in _identifiers(r)])
    linked = [r for r in records if r.mentions or r.cross_references]
    if not linked:
        return
    footnote_ids = _ids(connection, Footnote, linked)

    def container(record: DocumentRecord, kind: str, ref: str | None) -> dict[str, int | None]:
        return {
            "passage": passage_ids[record.id, ref] if kind == "passage" else None,
            "footnote": footnote_ids[record.id, ref] if kind == "footnote" else None,
        }

    _check_entities(connection, linked)
    mentions = []
    for record in linked:
        for m in record.mentions:
            where = container(record, m.container, m.ref)
            mentions.append(
                {
                    "document_id": record.id,
                    "passage_id": where["passage"],
                    "footnote_id": where["footnote"],
                    "entity_id": m.entity_id,
                    "start": m.start,
                    "end": m.end,
                    "surface": m.surface,
                    "status": m.status,
                }
            )
    _insert(connection, Mention, mentions)
    references = []
    for record in linked:
        for x in record.cross_references:
            where = container(record, x.container, x.ref)
            target = x.target.document or x.target.value
            references.append(
                {
                    "relation": x.relation,
                    "origin": "curated",
                    "source_document_id": record.id,
                    "source_passage_id": where["passage"],
                    "source_footnote_id": where["footnote"],
                    "source_start": x.start,
                    "source_end": x.end,
                    "target_document_id": None,
                    "target_passage_ref": x.target.passage,
                    "target_footnote_ref": x.target.footnote,
                    "target_scheme": "document" if x.target.document else x.target.scheme,
                    "target_value": target,
                    "target_key": normalize_identifier(target or ""),
                    "target_label": x.target.label,
                }
            )
    _insert(connection, CrossReference, references)


def _identifiers(record: DocumentRecord) -> list[dict[str, str]]:
    identifiers = {(i.scheme, i.value) for i in record.identifiers}
    identifiers |= {(a.scheme, a.value) for a in record.provenance.archival_ids}
    return [
        {
            "document_id": record.id,
            "scheme": scheme,
            "value": value,
            "normalized": normalize_identifier(value),
        }
        for scheme, value in sorted(identifiers)
    ]


def _check_entities(connection: Connection, records: list[DocumentRecord]) -> None:
    """Every mention must name an entity that exists (a clear error, not a foreign key's)."""
    wanted = {m.entity_id for record in records for m in record.mentions}
    if not wanted:
        return
    known = set(
        connection.execute(select(Entity.id).where(Entity.id.in_(wanted))).scalars()  # type: ignore[attr-defined]
    )
    for record in records:
        for mention in record.mentions:
            if mention.entity_id not in known:
                raise IngestError(
                    None,
                    f"document {record.id!r}: mention {mention.surface!r} names unknown entity "
                    f"{mention.entity_id!r}",
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
            session.connection(),
            EventReport,
            [
                {"event_id": e, "document_id": d, "passage_ref": p}
                for e, d, p in sorted(reports, key=str)
            ],
        )
    session.flush()
