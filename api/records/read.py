"""Stored documents, entities and events read back as the records the loader wrote.

The inverse of api/records/write.py: what a record says is stored, so it can be read back
without loss. Derived rows are left out — ``auto`` mentions, detected and inferred
cross-references, revisions and timestamps — because importing the records recomputes
them. Rows are read per collection in a handful of queries, not one query per document.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

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
from api.records.record import (
    AliasRecord,
    CollectionRecord,
    CrossReferenceRecord,
    DocumentRecord,
    EntityRecord,
    EventRecord,
    FootnoteRecord,
    IdentifierRecord,
    MentionRecord,
    PageRecord,
    ParticipantRecord,
    PassageRecord,
    Provenance,
    ReportRecord,
    TargetRecord,
)

BATCH = 200


def collection_records(
    session: Session, collection_id: str | None = None
) -> list[CollectionRecord]:
    query = select(Collection)
    if collection_id is not None:
        query = query.where(Collection.id == collection_id)
    rows = sorted(session.execute(query).scalars(), key=lambda c: c.id)
    return [
        CollectionRecord(id=c.id, title=c.title, description=c.description, publisher=c.publisher)
        for c in rows
    ]


def document_ids(session: Session, collection_id: str | None = None) -> list[str]:
    query = select(Document.collection_id, Document.id)
    if collection_id is not None:
        query = query.where(Document.collection_id == collection_id)
    # sorted here, not in SQL: PostgreSQL collates by locale, SQLite by code point
    return [row.id for row in sorted(session.execute(query).all(), key=lambda r: (r[0], r[1]))]


def _grouped(session: Session, query: Any, key: str) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(query).all():
        holder = row if key in row._fields else row[0]  # a row of columns, or of one entity
        groups[getattr(holder, key)].append(row)
    return groups


def document_records(session: Session, ids: Sequence[str]) -> Iterator[DocumentRecord]:
    """The records of ``ids``, in that order, read a batch at a time."""
    for first in range(0, len(ids), BATCH):
        chunk = list(ids[first : first + BATCH])
        yield from _chunk(session, chunk)


def _chunk(session: Session, ids: list[str]) -> Iterator[DocumentRecord]:
    documents = {
        d.id: d
        for d in session.execute(select(Document).where(Document.id.in_(ids))).scalars()  # type: ignore[attr-defined]
    }
    passages = _grouped(
        session,
        select(Passage)
        .where(Passage.document_id.in_(ids))
        .order_by(Passage.document_id, Passage.seq),  # type: ignore[attr-defined]
        "document_id",
    )
    notes = _grouped(
        session,
        select(Footnote)
        .where(Footnote.document_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(Footnote.document_id, Footnote.number),
        "document_id",
    )
    pages = _grouped(
        session,
        select(PageMarker.document_id, PageMarker.n, PageMarker.offset)
        .where(PageMarker.document_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(PageMarker.document_id, PageMarker.seq),
        "document_id",
    )
    identifiers = _grouped(
        session,
        select(DocumentIdentifier.document_id, DocumentIdentifier.scheme, DocumentIdentifier.value)
        .where(DocumentIdentifier.document_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(
            DocumentIdentifier.document_id, DocumentIdentifier.scheme, DocumentIdentifier.value
        ),
        "document_id",
    )
    mentions = _grouped(
        session,
        select(Mention)
        .where(Mention.document_id.in_(ids), Mention.status != "auto")  # type: ignore[attr-defined]
        .order_by(Mention.document_id, Mention.id),
        "document_id",
    )
    xrefs = _grouped(
        session,
        select(CrossReference)
        .where(CrossReference.source_document_id.in_(ids), CrossReference.origin == "curated")  # type: ignore[attr-defined]
        .order_by(CrossReference.source_document_id, CrossReference.id),
        "source_document_id",
    )
    for document_id in ids:
        document = documents.get(document_id)
        if document is None:
            continue
        own_passages = [row[0] for row in passages.get(document_id, [])]
        own_notes = [row[0] for row in notes.get(document_id, [])]
        passage_refs = {p.id: p.ref for p in own_passages}
        note_refs = {n.id: n.ref for n in own_notes}
        archival = {
            (a.get("scheme"), a.get("value")) for a in document.provenance.get("archival_ids", [])
        }
        yield DocumentRecord(
            id=document.id,
            collection_id=document.collection_id,
            title=document.title,
            authors=list(document.authors),
            recipients=list(document.recipients),
            date=document.date,
            source_type=document.source_type,  # type: ignore[arg-type]
            genre=document.genre,
            language=document.language,
            number=document.number,
            provenance=Provenance(**document.provenance),
            notes=list(document.notes),  # type: ignore[arg-type]
            identifiers=[
                IdentifierRecord(scheme=scheme, value=value)
                for scheme, value in sorted(
                    (r.scheme, r.value) for r in identifiers.get(document_id, [])
                )
                if (scheme, value) not in archival
            ],
            text=document.text,
            passages=[
                PassageRecord(
                    ref=p.ref,
                    kind=p.kind,  # type: ignore[arg-type]
                    text=p.text,
                    start=p.start_offset,
                    end=p.end_offset,
                    boilerplate=p.boilerplate,
                    section_ref=p.section_ref,
                    page=p.page,
                    level=p.level,
                    depth=p.depth,
                    label=p.label,
                    marks=p.marks or [],  # type: ignore[arg-type]
                    table=p.table_cells,  # type: ignore[arg-type]
                )
                for p in own_passages
            ],
            footnotes=[
                FootnoteRecord(
                    ref=n.ref,
                    marker=n.marker,
                    number=n.number,
                    text=n.text,
                    offset=n.offset,
                    passage_ref=passage_refs.get(n.passage_id) if n.passage_id else None,  # type: ignore[arg-type]
                )
                for n in own_notes
            ],
            pages=[PageRecord(n=r.n, offset=r.offset) for r in pages.get(document_id, [])],
            mentions=[
                MentionRecord(
                    container="passage" if m.passage_id is not None else "footnote",
                    ref=passage_refs[m.passage_id]
                    if m.passage_id is not None
                    else note_refs[m.footnote_id],  # type: ignore[index]
                    start=m.start,
                    end=m.end,
                    surface=m.surface,
                    entity_id=m.entity_id,
                    status=m.status,  # type: ignore[arg-type]
                )
                for (m,) in mentions.get(document_id, [])
            ],
            cross_references=[
                _xref(x, passage_refs, note_refs) for (x,) in xrefs.get(document_id, [])
            ],
        )


def _xref(
    x: CrossReference, passage_refs: dict[Any, str], note_refs: dict[Any, str]
) -> CrossReferenceRecord:
    container, ref = "document", None
    if x.source_passage_id is not None:
        container, ref = "passage", passage_refs[x.source_passage_id]
    elif x.source_footnote_id is not None:
        container, ref = "footnote", note_refs[x.source_footnote_id]
    by_document = x.target_scheme == "document"
    return CrossReferenceRecord(
        container=container,  # type: ignore[arg-type]
        ref=ref,
        start=x.source_start,
        end=x.source_end,
        relation=x.relation,  # type: ignore[arg-type]
        target=TargetRecord(
            document=x.target_value if by_document else None,
            passage=x.target_passage_ref,
            footnote=x.target_footnote_ref,
            scheme=None if by_document else x.target_scheme,
            value=None if by_document else x.target_value,
            label=x.target_label,
        ),
    )


def _aliases(session: Session, ids: list[str]) -> dict[str, list[AliasRecord]]:
    found: dict[str, list[AliasRecord]] = defaultdict(list)
    for row in session.execute(
        select(EntityAlias.entity_id, EntityAlias.text, EntityAlias.case_sensitive)
        .where(EntityAlias.entity_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(EntityAlias.id)
    ).all():
        found[row.entity_id].append(AliasRecord(text=row.text, case_sensitive=row.case_sensitive))
    return found


def entity_records(session: Session) -> list[EntityRecord]:
    """Every entity that is not an event, by id, with its aliases in the order written."""
    rows = sorted(
        session.execute(select(Entity).where(Entity.type != "event")).scalars(),
        key=lambda e: e.id,
    )
    aliases = _aliases(session, [e.id for e in rows])
    return [
        EntityRecord(
            id=e.id,
            type=e.type,  # type: ignore[arg-type]
            name=e.name,
            aliases=aliases.get(e.id, []),
            description=e.description,
            date=e.date,
            external_ids=dict(e.external_ids),
            members=list(e.members),
        )
        for e in rows
    ]


def event_records(session: Session, documents: set[str] | None = None) -> list[EventRecord]:
    """Every event, by id; ``documents`` limits the reports to the documents exported."""
    rows = session.execute(
        select(Entity, Event).join(Event, Event.id == Entity.id)  # type: ignore[arg-type]
    ).all()
    rows = sorted(rows, key=lambda row: row[0].id)
    ids = [entity.id for entity, _ in rows]
    aliases = _aliases(session, ids)
    participants: dict[str, list[ParticipantRecord]] = defaultdict(list)
    for p in session.execute(
        select(EventParticipant)
        .where(EventParticipant.event_id.in_(ids))
        .order_by(EventParticipant.id)  # type: ignore[attr-defined]
    ).scalars():
        participants[p.event_id].append(ParticipantRecord(entity=p.entity_id, role=p.role))
    reports: dict[str, list[ReportRecord]] = defaultdict(list)
    found = session.execute(
        select(EventReport).where(EventReport.event_id.in_(ids))  # type: ignore[attr-defined]
    ).scalars()
    for r in sorted(found, key=lambda r: (r.event_id, r.document_id, r.passage_ref or "")):
        if documents is None or r.document_id in documents:
            reports[r.event_id].append(ReportRecord(document=r.document_id, passage=r.passage_ref))
    return [
        EventRecord(
            id=entity.id,
            name=entity.name,
            event_type=event.event_type,
            date=entity.date,
            place=event.place_id,
            aliases=aliases.get(entity.id, []),
            participants=participants.get(entity.id, []),
            description=entity.description,
            external_ids=dict(entity.external_ids),
            reported_in=reports.get(entity.id, []),
        )
        for entity, event in rows
    ]
