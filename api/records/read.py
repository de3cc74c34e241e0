"""Stored documents, entities and events read back as the records the loader wrote.

The inverse of api/records/write.py: what a record says is stored, so it can be read back
without loss. Derived rows are left out — ``auto`` mentions, detected and inferred
cross-references, revisions and timestamps — because importing the records recomputes
them. Rows are read per collection in a handful of queries, not one query per document.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import select
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

_T = TypeVar("_T")


def collection_records(
    session: Session, collection_id: str | None = None
) -> list[CollectionRecord]:
    query = select(Collection)
    if collection_id is not None:
        query = query.where(col(Collection.id) == collection_id)
    rows = sorted(session.scalars(query), key=lambda c: c.id)
    return [
        CollectionRecord(id=c.id, title=c.title, description=c.description, publisher=c.publisher)
        for c in rows
    ]


def document_ids(session: Session, collection_id: str | None = None) -> list[str]:
    query = select(col(Document.collection_id), col(Document.id))
    if collection_id is not None:
        query = query.where(col(Document.collection_id) == collection_id)
    # sorted here, not in SQL: PostgreSQL collates by locale, SQLite by code point
    return [row.id for row in sorted(session.execute(query).all(), key=lambda r: (r[0], r[1]))]


def _grouped(rows: Iterable[_T], key: str) -> dict[str, list[_T]]:
    """Rows of a whole chunk, by document: a query per table, not per document."""
    groups: dict[str, list[_T]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def document_records(session: Session, ids: Sequence[str]) -> Iterator[DocumentRecord]:
    """The records of ``ids``, in that order, read a batch at a time.

    A batch is a handful of queries whatever its size, and holds ``BATCH`` documents' rows
    in memory rather than a whole collection's.
    """
    for first in range(0, len(ids), BATCH):
        chunk = list(ids[first : first + BATCH])
        yield from _chunk(session, chunk)


def _chunk(session: Session, ids: list[str]) -> Iterator[DocumentRecord]:
    documents = {
        d.id: d for d in session.scalars(select(Document).where(col(Document.id).in_(ids)))
    }
    passages = _grouped(
        session.scalars(
            select(Passage)
            .where(col(Passage.document_id).in_(ids))
            .order_by(col(Passage.document_id), col(Passage.seq))
        ),
        "document_id",
    )
    notes = _grouped(
        session.scalars(
            select(Footnote)
            .where(col(Footnote.document_id).in_(ids))
            .order_by(col(Footnote.document_id), col(Footnote.number))
        ),
        "document_id",
    )
    pages = _grouped(
        session.execute(
            select(col(PageMarker.document_id), col(PageMarker.n), col(PageMarker.offset))
            .where(col(PageMarker.document_id).in_(ids))
            .order_by(col(PageMarker.document_id), col(PageMarker.seq))
        ),
        "document_id",
    )
    identifiers = _grouped(
        session.execute(
            select(
                col(DocumentIdentifier.document_id),
                col(DocumentIdentifier.scheme),
                col(DocumentIdentifier.value),
            )
            .where(col(DocumentIdentifier.document_id).in_(ids))
            .order_by(
                col(DocumentIdentifier.document_id),
                col(DocumentIdentifier.scheme),
                col(DocumentIdentifier.value),
            )
        ),
        "document_id",
    )
    mentions = _grouped(
        session.scalars(
            select(Mention)
            .where(col(Mention.document_id).in_(ids), col(Mention.status) != "auto")
            .order_by(col(Mention.document_id), col(Mention.id))
        ),
        "document_id",
    )
    xrefs = _grouped(
        session.scalars(
            select(CrossReference)
            .where(
                col(CrossReference.source_document_id).in_(ids),
                col(CrossReference.origin) == "curated",
            )
            .order_by(col(CrossReference.source_document_id), col(CrossReference.id))
        ),
        "source_document_id",
    )
    for document_id in ids:
        document = documents.get(document_id)
        if document is None:
            continue
        own_passages = passages.get(document_id, [])
        own_notes = notes.get(document_id, [])
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
            source_type=document.source_type,
            genre=document.genre,
            language=document.language,
            number=document.number,
            provenance=Provenance(**document.provenance),
            notes=list(document.notes),
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
                    kind=p.kind,
                    text=p.text,
                    start=p.start_offset,
                    end=p.end_offset,
                    boilerplate=p.boilerplate,
                    section_ref=p.section_ref,
                    page=p.page,
                    level=p.level,
                    depth=p.depth,
                    label=p.label,
                    marks=p.marks or [],
                    table=p.table_cells,
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
                    passage_ref=passage_refs.get(n.passage_id) if n.passage_id else None,
                )
                for n in own_notes
            ],
            pages=[PageRecord(n=r.n, offset=r.offset) for r in pages.get(document_id, [])],
            mentions=[
                MentionRecord(
                    container="passage" if m.passage_id is not None else "footnote",
                    ref=passage_refs[m.passage_id]
                    if m.passage_id is not None
                    else note_refs[m.footnote_id],
                    start=m.start,
                    end=m.end,
                    surface=m.surface,
                    entity_id=m.entity_id,
                    status=m.status,
                )
                for m in mentions.get(document_id, [])
            ],
            cross_references=[
                _xref(x, passage_refs, note_refs) for x in xrefs.get(document_id, [])
            ],
        )


def _xref(
    x: CrossReference, passage_refs: dict[int | None, str], note_refs: dict[int | None, str]
) -> CrossReferenceRecord:
    container, ref = "document", None
    if x.source_passage_id is not None:
        container, ref = "passage", passage_refs[x.source_passage_id]
    elif x.source_footnote_id is not None:
        container, ref = "footnote", note_refs[x.source_footnote_id]
    by_document = x.target_scheme == "document"
    return CrossReferenceRecord(
        container=container,
        ref=ref,
        start=x.source_start,
        end=x.source_end,
        relation=x.relation,
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
        select(col(EntityAlias.entity_id), col(EntityAlias.text), col(EntityAlias.case_sensitive))
        .where(col(EntityAlias.entity_id).in_(ids))
        .order_by(col(EntityAlias.id))
    ).all():
        found[row.entity_id].append(AliasRecord(text=row.text, case_sensitive=row.case_sensitive))
    return found


def entity_records(session: Session) -> list[EntityRecord]:
    """Every entity that is not an event, by id, with its aliases in the order written."""
    rows = sorted(
        session.scalars(select(Entity).where(col(Entity.type) != "event")),
        key=lambda e: e.id,
    )
    aliases = _aliases(session, [e.id for e in rows])
    return [
        EntityRecord(
            id=e.id,
            type=e.type,
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
    rows = session.execute(select(Entity, Event).join(Event, col(Event.id) == col(Entity.id))).all()
    rows = sorted(rows, key=lambda row: row[0].id)
    ids = [entity.id for entity, _ in rows]
    aliases = _aliases(session, ids)
    participants: dict[str, list[ParticipantRecord]] = defaultdict(list)
    for p in session.scalars(
        select(EventParticipant)
        .where(col(EventParticipant.event_id).in_(ids))
        .order_by(col(EventParticipant.id))
    ):
        participants[p.event_id].append(ParticipantRecord(entity=p.entity_id, role=p.role))
    reports: dict[str, list[ReportRecord]] = defaultdict(list)
    found = session.scalars(select(EventReport).where(col(EventReport.event_id).in_(ids)))
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
