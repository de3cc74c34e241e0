"""The one loader: writes normalized records to the database.

It flushes but never commits: whoever calls it (the seed loader, the CLI, an upload) owns
the transaction, so a document is written whole or not at all.
"""

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypedDict

from sqlalchemy import Connection, delete, insert, select
from sqlmodel import Session, col

from api.db.models import (
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
from api.db.models.base import utcnow
from api.errors import IngestError
from api.records import changes
from api.records.bulk import anchor_id, executemany
from api.records.dates import parse_edtf
from api.records.filenumbers import detected_reference
from api.records.record import (
    CollectionRecord,
    DocumentRecord,
    EntityRecord,
    EventRecord,
    fold_case,
    normalize_identifier,
)
from api.records.registry import Registry
from api.records.rows import (
    FOOTNOTE_ANCHOR,
    FOOTNOTE_COLUMNS,
    IDENTIFIER_COLUMNS,
    PAGE_COLUMNS,
    PASSAGE_COLUMNS,
    DocumentRows,
    document_rows,
)


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
    return write_documents(session, [document_rows(record)])[0]


def write_documents(
    session: Session, documents: Sequence[DocumentRecord | DocumentRows]
) -> list[Outcome]:
    """Insert new documents; replace changed ones as a new revision; skip unchanged ones.

    Takes records, or their rows already made where they were read (``api.records.rows``),
    and returns one outcome per document, in order. A batch is written with a handful of
    statements whatever its size (look-ups, then one ``executemany`` per table): an import
    writes thousands of documents, and a statement per document and table would cost more
    than the rows themselves. New documents and their parts go straight to the connection,
    skipping the ORM's identity map and unit of work; a changed document is updated through
    the ORM, so a caller holding it sees the new revision. A document whose id an earlier
    one of the same call has is written after it, as its update.
    """
    outcomes: list[Outcome] = []
    run: list[DocumentRows] = []
    ids: set[str] = set()
    for document in documents:
        rows = document if isinstance(document, DocumentRows) else document_rows(document)
        if rows.id in ids or len(run) == _RUN:
            outcomes.extend(_write_run(session, run))
            run, ids = [], set()
        run.append(rows)
        ids.add(rows.id)
    if run:
        outcomes.extend(_write_run(session, run))
    return outcomes


_RUN = 500  # documents per round of statements: IN lists stay well below every engine's limit


def _write_run(session: Session, documents: list[DocumentRows]) -> list[Outcome]:
    """Write documents with distinct ids.

    What is stored is looked up once for the whole run, so a second version of a document
    in it would be taken for new: ``write_documents`` starts a new run for it.
    """
    connection = session.connection()
    wanted = {document.collection_id for document in documents}
    present = set(
        connection.execute(
            select(col(Collection.id)).where(col(Collection.id).in_(wanted))
        ).scalars()
    )
    for document in documents:
        if document.collection_id not in present:
            raise IngestError(
                None,
                f"document {document.id!r}: collection {document.collection_id!r} does not exist",
            )
    stored = {
        row.id: (row.fingerprint, row.parts_fingerprint)
        for row in connection.execute(
            select(
                col(Document.id), col(Document.fingerprint), col(Document.parts_fingerprint)
            ).where(col(Document.id).in_([document.id for document in documents]))
        )
    }
    outcomes: list[Outcome] = []
    written: list[DocumentRows] = []
    new_rows: list[dict[str, Any]] = []
    now = utcnow()
    for document in documents:
        if document.id not in stored:
            new_rows.append(
                {
                    "id": document.id,
                    **document.fields,
                    "revision": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            outcomes.append(Outcome.NEW)
        elif stored[document.id][0] == document.fingerprint:
            outcomes.append(Outcome.UNCHANGED)
            continue
        else:
            parts_kept = stored[document.id][1] == document.fields["parts_fingerprint"]
            _replace(session, document.id, document.fields, parts=not parts_kept)
            outcomes.append(Outcome.UPDATED)
            if parts_kept:
                continue  # metadata alone changed: its passages, notes and links stay
        written.append(document)
    if new_rows:
        connection.execute(insert(Document), new_rows)
    if len(new_rows) < len(written):
        session.flush()
    if written:
        _write_parts(connection, written)
    for outcome, operation in ((Outcome.NEW, "create"), (Outcome.UPDATED, "update")):
        ids = [d.id for d, o in zip(documents, outcomes, strict=True) if o is outcome]
        changes.note(session, "documents", ids, operation)
    return outcomes


def _replace(session: Session, document_id: str, fields: dict[str, Any], *, parts: bool) -> None:
    """Make the stored document the record's next revision; ``parts``: its old parts gone."""
    existing = session.get(Document, document_id)
    assert existing is not None
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.revision += 1
    existing.updated_at = utcnow()
    if not parts:
        session.flush()
        return
    session.execute(delete(Mention).where(col(Mention.document_id) == document_id))
    session.execute(
        delete(CrossReference).where(
            col(CrossReference.source_document_id) == document_id,
            col(CrossReference.origin) != "inferred",
        )
    )
    for table in (Footnote, PageMarker, Passage, DocumentIdentifier):
        session.execute(delete(table).where(col(table.document_id) == document_id))


def _ids(
    connection: Connection, model: type[Passage] | type[Footnote], documents: list[DocumentRows]
) -> dict[tuple[str, str | None], int | None]:
    """(document id, ref) → id of the passages or footnotes just written.

    Records anchor mentions and references by ref, the rows by id. The ref is optional as
    a reference's is: one without a ref stands in the document itself and never looks here.
    """
    rows = connection.execute(
        select(col(model.document_id), col(model.ref), col(model.id)).where(
            col(model.document_id).in_([document.id for document in documents])
        )
    )
    return {(document_id, ref): row_id for document_id, ref, row_id in rows}


def _write_parts(connection: Connection, documents: list[DocumentRows]) -> None:
    """Passages, notes, pages, identifiers, mentions and references: one executemany each."""
    parts = (
        (Passage, PASSAGE_COLUMNS, "passages"),
        (Footnote, FOOTNOTE_COLUMNS + FOOTNOTE_ANCHOR, "footnotes"),
        (PageMarker, PAGE_COLUMNS, "pages"),
        (DocumentIdentifier, IDENTIFIER_COLUMNS, "identifiers"),
    )
    for model, columns, part in parts:
        rows = [row for document in documents for row in getattr(document, part)]
        executemany(connection, model, columns, rows)
    _write_detected(connection, documents)
    linked = [d for d in documents if d.mentions or d.cross_references]
    if linked:
        _write_links(connection, linked)


_DETECTED = insert(CrossReference).values(
    source_passage_id=anchor_id(Passage, "passage_document", "passage_ref"),
    source_footnote_id=anchor_id(Footnote, "footnote_document", "footnote_ref"),
)


def _write_detected(connection: Connection, documents: list[DocumentRows]) -> None:
    """Citations found in the text when it was read, as detected references."""
    rows = [
        {
            **detected_reference(document.id, citation),
            "passage_document": document.id if kind == "passage" else None,
            "passage_ref": ref if kind == "passage" else None,
            "footnote_document": document.id if kind == "footnote" else None,
            "footnote_ref": ref if kind == "footnote" else None,
        }
        for document in documents
        for kind, ref, citation in document.detected
    ]
    if rows:
        connection.execute(_DETECTED, rows)


def _write_links(connection: Connection, documents: list[DocumentRows]) -> None:
    """Curated mentions and references, anchored in passages and notes by their new ids."""
    passage_ids = _ids(connection, Passage, documents)
    footnote_ids = _ids(connection, Footnote, documents)

    def container(document: DocumentRows, kind: str, ref: str | None) -> dict[str, int | None]:
        return {
            "passage": passage_ids[document.id, ref] if kind == "passage" else None,
            "footnote": footnote_ids[document.id, ref] if kind == "footnote" else None,
        }

    _check_entities(connection, documents)
    mentions = []
    for document in documents:
        for m in document.mentions:
            where = container(document, m.container, m.ref)
            mentions.append(
                {
                    "document_id": document.id,
                    "passage_id": where["passage"],
                    "footnote_id": where["footnote"],
                    "entity_id": m.entity_id,
                    "start": m.start,
                    "end": m.end,
                    "surface": m.surface,
                    "status": m.status,
                }
            )
    if mentions:
        connection.execute(insert(Mention), mentions)
    references = []
    for document in documents:
        for x in document.cross_references:
            where = container(document, x.container, x.ref)
            target = x.target.document or x.target.value
            references.append(
                {
                    "relation": x.relation,
                    "origin": "curated",
                    "source_document_id": document.id,
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
    if references:
        connection.execute(insert(CrossReference), references)


def _check_entities(connection: Connection, documents: list[DocumentRows]) -> None:
    """Every mention must name an entity that exists (a clear error, not a foreign key's)."""
    wanted = {m.entity_id for document in documents for m in document.mentions}
    if not wanted:
        return
    known = set(
        connection.execute(select(col(Entity.id)).where(col(Entity.id).in_(wanted))).scalars()
    )
    for document in documents:
        for mention in document.mentions:
            if mention.entity_id not in known:
                raise IngestError(
                    None,
                    f"document {document.id!r}: mention {mention.surface!r} names unknown "
                    f"entity {mention.entity_id!r}",
                )


class _EntityFields(TypedDict):
    """An entity's columns from its record: the same keys whether inserted or compared."""

    type: str
    name: str
    description: str | None
    date: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    external_ids: dict[str, str]
    members: list[str]


def _entity_fields(record: EntityRecord | EventRecord, type_: str) -> _EntityFields:
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
    noted: list[tuple[str, str, str]] = []
    for record, type_ in records:
        fields = _entity_fields(record, type_)
        existing = session.get(Entity, record.id)
        if existing is None:
            session.add(Entity(id=record.id, **fields))
            counts[Outcome.NEW] += 1
            noted.append((changes.entity_kind(type_), record.id, "create"))
        else:
            changed = any(getattr(existing, k) != v for k, v in fields.items())
            for key, value in fields.items():
                setattr(existing, key, value)
            if changed:
                existing.revision += 1
                existing.updated_at = utcnow()
                noted.append((changes.entity_kind(type_), record.id, "update"))
            counts[Outcome.UPDATED if changed else Outcome.UNCHANGED] += 1
    session.flush()
    for kind, resource_id, operation in noted:
        changes.note(session, kind, [resource_id], operation)
    ids = [record.id for record, _ in records]
    session.execute(delete(EntityAlias).where(col(EntityAlias.entity_id).in_(ids)))
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
            select(col(EntityAlias.key), col(EntityAlias.entity_id)).where(
                col(EntityAlias.key).in_({a["key"] for a in aliases})
            )
        ).first()
        if clash is not None:
            raise IngestError(None, f"alias {clash.key!r} already belongs to {clash.entity_id!r}")
        session.execute(insert(EntityAlias), aliases)
    event_ids = [e.id for e in registry.events]
    if event_ids:
        session.execute(
            delete(EventParticipant).where(col(EventParticipant.event_id).in_(event_ids))
        )
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
    session.execute(delete(EventReport).where(col(EventReport.event_id).in_(event_ids)))
    reports = {(e.id, r.document, r.passage) for e in registry.events for r in e.reported_in}
    documents = {doc for _, doc, _ in reports}
    present = set(
        session.execute(select(col(Document.id)).where(col(Document.id).in_(documents))).scalars()
    )
    passages = {
        (row.document_id, row.ref)
        for row in session.execute(
            select(col(Passage.document_id), col(Passage.ref)).where(
                col(Passage.document_id).in_(documents)
            )
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
        session.execute(
            insert(EventReport),
            [
                {"event_id": e, "document_id": d, "passage_ref": p}
                for e, d, p in sorted(reports, key=str)
            ],
        )
    session.flush()
