"""A stored document read back as the normalized record it was written from.

Writes through the API edit this record and hand it to the one loader, so an edit goes
through the same validation and indexing as an import; revisions store it, so a revert is
just writing an older record again.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from api.ingest.record import (
    CrossReferenceRecord,
    DocumentRecord,
    FootnoteRecord,
    IdentifierRecord,
    MentionRecord,
    PageRecord,
    PassageRecord,
    Provenance,
    TargetRecord,
)
from api.models import (
    CrossReference,
    Document,
    DocumentIdentifier,
    Footnote,
    Mention,
    PageMarker,
    Passage,
)
from api.problems import NotFound


def document_record(session: Session, document_id: str) -> DocumentRecord:
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound("document", document_id)
    passages = (
        session.execute(
            select(Passage).where(Passage.document_id == document_id).order_by(Passage.seq)
        )
        .scalars()
        .all()
    )
    notes = (
        session.execute(
            select(Footnote).where(Footnote.document_id == document_id).order_by(Footnote.number)
        )
        .scalars()
        .all()
    )
    passage_refs = {p.id: p.ref for p in passages}
    note_refs = {n.id: n.ref for n in notes}
    pages = session.execute(
        select(PageMarker.n, PageMarker.offset)
        .where(PageMarker.document_id == document_id)
        .order_by(PageMarker.seq)
    ).all()
    archival = {
        (a.get("scheme"), a.get("value")) for a in document.provenance.get("archival_ids", [])
    }
    identifiers = [
        IdentifierRecord(scheme=r.scheme, value=r.value)
        for r in session.execute(
            select(DocumentIdentifier.scheme, DocumentIdentifier.value)
            .where(DocumentIdentifier.document_id == document_id)
            .order_by(DocumentIdentifier.scheme, DocumentIdentifier.value)
        ).all()
        if (r.scheme, r.value) not in archival
    ]
    mentions = [
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
        for m in session.execute(
            select(Mention)
            .where(Mention.document_id == document_id, Mention.status != "auto")
            .order_by(Mention.id)
        ).scalars()
    ]
    xrefs = [
        _xref_record(x, passage_refs, note_refs)
        for x in session.execute(
            select(CrossReference)
            .where(
                CrossReference.source_document_id == document_id,
                CrossReference.origin == "curated",
            )
            .order_by(CrossReference.id)
        ).scalars()
    ]
    return DocumentRecord(
        id=document.id,
        collection_id=document.collection_id,
        title=document.title,
        authors=document.authors,
        recipients=document.recipients,
        date=document.date,
        source_type=document.source_type,  # type: ignore[arg-type]
        genre=document.genre,
        language=document.language,
        number=document.number,
        provenance=Provenance(**document.provenance),
        notes=document.notes,  # type: ignore[arg-type]
        identifiers=identifiers,
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
            )
            for p in passages
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
            for n in notes
        ],
        pages=[PageRecord(n=r.n, offset=r.offset) for r in pages],
        mentions=mentions,
        cross_references=xrefs,
    )


def _xref_record(
    x: CrossReference, passage_refs: dict[Any, str], note_refs: dict[Any, str]
) -> CrossReferenceRecord:
    container = "document"
    ref = None
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
