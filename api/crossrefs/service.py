"""Cross-references between sources, in either direction, with their anchors.

A source anchor's ``start``/``end`` are offsets into the full text of the document the
reference stands in (none in a footnote); ``passage_start``/``passage_end`` are into the
text of its passage or note, as stored.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Row, func, label, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from api.crossrefs.schemas import Anchor, CrossReferencePublic, Target
from api.db.models import CrossReference, Document, Footnote, Passage
from api.db.models.document import is_live, live_document_ids
from api.documents.service import require_document
from api.errors import NotFound
from api.records.offsets import CODEPOINTS, OffsetUnit, Utf16Map, full_text_maps

Direction = Literal["out", "in", "both"]
_Target = aliased(Document)


# A cross-reference with its source's text and its target's title; every query starts here.
_CROSS_REFERENCES = (
    select(
        CrossReference,
        label("passage_ref", col(Passage.ref)),
        label("passage_begins", col(Passage.start_offset)),
        label("passage_text", col(Passage.text)),
        label("footnote_ref", col(Footnote.ref)),
        label("footnote_text", col(Footnote.text)),
        label("target_title", col(_Target.title)),
    )
    .outerjoin(Passage, col(Passage.id) == col(CrossReference.source_passage_id))
    .outerjoin(Footnote, col(Footnote.id) == col(CrossReference.source_footnote_id))
    .outerjoin(_Target, col(_Target.id) == col(CrossReference.target_document_id))
)


def _anchor(row: Row[Any], utf16: dict[str, Utf16Map] | None) -> Anchor:
    """The source anchor; ``utf16`` holds the maps of the source documents' full texts when
    offsets are to count UTF-16 code units."""
    x: CrossReference = row.CrossReference
    anchor = Anchor(
        document=x.source_document_id, passage=row.passage_ref, footnote=row.footnote_ref
    )
    in_passage = row.passage_ref is not None
    text: str | None = row.passage_text if in_passage else row.footnote_text
    first, last = x.source_start, x.source_end
    if text is None or first is None or last is None:
        return anchor  # a link between documents, made with no words
    anchor.text = text[first:last]
    anchor.passage_start, anchor.passage_end = first, last
    if in_passage:
        anchor.start, anchor.end = row.passage_begins + first, row.passage_begins + last
    if utf16 is not None:
        own, full = Utf16Map(text), utf16[x.source_document_id]
        anchor.passage_start, anchor.passage_end = own(first), own(last)
        anchor.start, anchor.end = full.optional(anchor.start), full.optional(anchor.end)
    return anchor


def _public(row: Row[Any], base: str, utf16: dict[str, Utf16Map] | None) -> CrossReferencePublic:
    x: CrossReference = row.CrossReference
    links = {
        "self": f"{base}/v1/cross-references/{x.id}",
        "source": f"{base}/v1/documents/{x.source_document_id}",
    }
    if x.target_document_id is not None:
        links["target"] = f"{base}/v1/documents/{x.target_document_id}"
    return CrossReferencePublic(
        id=x.id,
        relation=x.relation,
        origin=x.origin,
        resolved=x.target_document_id is not None,
        score=x.score,
        reason=x.reason,
        source=_anchor(row, utf16),
        target=Target(
            document=x.target_document_id,
            title=row.target_title,
            passage=x.target_passage_ref,
            footnote=x.target_footnote_ref,
            scheme=x.target_scheme,
            value=x.target_value,
            label=x.target_label,
        ),
        links=links,
    )


def list_cross_references(
    session: Session,
    *,
    relation: str | None,
    origin: str | None,
    resolved: bool | None,
    document_id: str | None = None,
    direction: Direction = "both",
    after: int | None,
    limit: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> tuple[list[CrossReferencePublic], int | None]:
    query = _CROSS_REFERENCES
    if document_id is not None:
        require_document(session, document_id)
        outgoing = col(CrossReference.source_document_id) == document_id
        incoming = col(CrossReference.target_document_id) == document_id
        query = query.where(
            {"out": outgoing, "in": incoming, "both": or_(outgoing, incoming)}[direction]
        )
    if relation is not None:
        query = query.where(col(CrossReference.relation) == relation)
    if origin is not None:
        query = query.where(col(CrossReference.origin) == origin)
    if resolved is not None:
        column = col(CrossReference.target_document_id)
        query = query.where(column.is_not(None) if resolved else column.is_(None))
    if after is not None:
        query = query.where(col(CrossReference.id) > after)
    rows = session.execute(query.order_by(col(CrossReference.id)).limit(limit + 1)).all()
    items = _shown(session, rows[:limit], base, offsets)
    return items, (items[-1].id if len(rows) > limit else None)


def _shown(
    session: Session, rows: Sequence[Row[Any]], base: str, offsets: OffsetUnit
) -> list[CrossReferencePublic]:
    utf16 = None
    if offsets == "utf16":
        utf16 = full_text_maps(session, (r.CrossReference.source_document_id for r in rows))
    return [_public(r, base, utf16) for r in rows]


def get_cross_reference(
    session: Session, *, xref_id: int, base: str, offsets: OffsetUnit = CODEPOINTS
) -> CrossReferencePublic:
    row = session.execute(_CROSS_REFERENCES.where(col(CrossReference.id) == xref_id)).first()
    if row is None:
        raise NotFound("cross-reference", str(xref_id))
    return _shown(session, [row], base, offsets)[0]


@dataclass(frozen=True, slots=True)
class CitedDocument:
    """A document and how many references from other documents point at it."""

    id: str
    title: str
    date: str | None
    citations: int


def most_cited(session: Session, *, limit: int) -> list[CitedDocument]:
    """The live documents other live documents refer to most, most cited first (ties by id).

    Counts curated and detected references, resolved to a document of the corpus, from a
    different document; inferred links are left out, since they say two sources are alike,
    not that one cites the other. For a reading site's front page, where one grouped query
    beats paging through every reference.
    """
    counted = func.count(col(CrossReference.id)).label("citations")
    rows = session.execute(
        select(col(Document.id), col(Document.title), col(Document.date), counted)
        .join(CrossReference, col(CrossReference.target_document_id) == col(Document.id))
        .where(
            col(CrossReference.origin) != "inferred",
            col(CrossReference.source_document_id) != col(Document.id),
            col(CrossReference.source_document_id).in_(live_document_ids()),
            is_live(),
        )
        .group_by(col(Document.id), col(Document.title), col(Document.date))
        .order_by(counted.desc(), col(Document.id))
        .limit(limit)
    ).all()
    return [CitedDocument(r.id, r.title, r.date, r.citations) for r in rows]
