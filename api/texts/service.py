"""A document's text and its parts: passages, footnotes and page markers.

Offsets everywhere are code points into the document's full text. The main view leaves out
boilerplate passages; its response maps each passage to both coordinate systems so a
frontend can highlight in either.
"""

import bisect
from typing import Any, Literal

from sqlalchemy import Row, label, select
from sqlmodel import Session, col

from api.db.models import Document, Footnote, PageMarker, Passage
from api.documents.schemas import DocumentText, TextSegment
from api.documents.service import require_document
from api.errors import NotFound, ProblemError
from api.texts.schemas import FootnotePublic, PageMarkerPublic, PassagePublic

View = Literal["main", "full"]


def document_text(session: Session, *, document_id: str, view: View, base: str) -> DocumentText:
    require_document(session, document_id)
    row = session.execute(
        select(col(Document.text), col(Document.checksum)).where(col(Document.id) == document_id)
    ).one()
    full: str = row.text
    passages = session.execute(
        select(
            col(Passage.ref),
            col(Passage.kind),
            col(Passage.boilerplate),
            col(Passage.start_offset),
            col(Passage.end_offset),
        )
        .where(col(Passage.document_id) == document_id)
        .order_by(col(Passage.seq))
    ).all()
    pieces: list[str] = []
    segments: list[TextSegment] = []
    length = 0
    previous_end = 0
    for p in passages:
        if view == "main" and p.boilerplate:
            previous_end = p.end_offset
            continue
        if segments:
            # Keep the separator printed before this passage ("\n\n", or "\n" in a list).
            separator = full[previous_end : p.start_offset] or "\n\n"
            pieces.append(separator)
            length += len(separator)
        pieces.append(full[p.start_offset : p.end_offset])
        segments.append(
            TextSegment(
                ref=p.ref,
                kind=p.kind,
                boilerplate=p.boilerplate,
                start=p.start_offset,
                end=p.end_offset,
                view_start=length,
                view_end=length + (p.end_offset - p.start_offset),
            )
        )
        length += p.end_offset - p.start_offset
        previous_end = p.end_offset
    text = full if view == "full" else "".join(pieces)
    return DocumentText(
        document=document_id,
        view=view,
        text=text,
        length=len(text),
        checksum=row.checksum,
        passages=segments,
        links={"self": f"{base}/v1/documents/{document_id}/text?view={view}"},
    )


def _passage_public(row: Row[Any], base: str, document_id: str) -> PassagePublic:
    doc = f"{base}/v1/documents/{document_id}"
    return PassagePublic(
        ref=row.ref,
        seq=row.seq,
        kind=row.kind,
        boilerplate=row.boilerplate,
        section=row.section_ref,
        text=row.text,
        start=row.start_offset,
        end=row.end_offset,
        page=row.page,
        level=row.level,
        depth=row.depth,
        label=row.label,
        marks=row.marks or [],
        table=row.table_cells,
        links={"self": f"{doc}/passages/{row.ref}", "document": doc},
    )


_PASSAGES = select(
    col(Passage.seq),
    col(Passage.ref),
    col(Passage.kind),
    col(Passage.boilerplate),
    col(Passage.section_ref),
    col(Passage.text),
    col(Passage.start_offset),
    col(Passage.end_offset),
    col(Passage.page),
    col(Passage.level),
    col(Passage.depth),
    col(Passage.label),
    col(Passage.marks),
    col(Passage.table_cells),
)


def list_passages(
    session: Session,
    *,
    document_id: str,
    kind: str | None,
    section: str | None,
    include_boilerplate: bool,
    after: int | None,
    limit: int,
    base: str,
) -> tuple[list[PassagePublic], int | None]:
    require_document(session, document_id)
    query = _PASSAGES.where(col(Passage.document_id) == document_id)
    if kind is not None:
        query = query.where(col(Passage.kind) == kind)
    if section is not None:
        query = query.where(col(Passage.section_ref) == section)
    if not include_boilerplate:
        query = query.where(col(Passage.boilerplate).is_(False))
    if after is not None:
        query = query.where(col(Passage.seq) > after)
    rows = session.execute(query.order_by(col(Passage.seq)).limit(limit + 1)).all()
    items = [_passage_public(r, base, document_id) for r in rows[:limit]]
    return items, (rows[limit - 1].seq if len(rows) > limit else None)


def get_passage(session: Session, *, document_id: str, ref: str, base: str) -> PassagePublic:
    row = session.execute(
        _PASSAGES.where(col(Passage.document_id) == document_id, col(Passage.ref) == ref)
    ).first()
    require_document(session, document_id)
    if row is None:
        raise NotFound("passage", ref)
    return _passage_public(row, base, document_id)


_FOOTNOTES = select(
    col(Footnote.ref),
    col(Footnote.marker),
    col(Footnote.number),
    col(Footnote.text),
    col(Footnote.offset),
    label("passage_ref", col(Passage.ref)),
    label("passage_start", col(Passage.start_offset)),
).outerjoin(Passage, col(Passage.id) == col(Footnote.passage_id))


def _footnote_public(row: Row[Any], base: str, document_id: str) -> FootnotePublic:
    doc = f"{base}/v1/documents/{document_id}"
    links = {"self": f"{doc}/footnotes/{row.ref}", "document": doc}
    if row.passage_ref is not None:
        links["passage"] = f"{doc}/passages/{row.passage_ref}"
    return FootnotePublic(
        ref=row.ref,
        marker=row.marker,
        number=row.number,
        text=row.text,
        passage=row.passage_ref,
        offset=row.offset,
        passage_offset=(row.offset - row.passage_start) if row.offset is not None else None,
        links=links,
    )


def list_footnotes(
    session: Session, *, document_id: str, after: int | None, limit: int, base: str
) -> tuple[list[FootnotePublic], int | None]:
    require_document(session, document_id)
    query = _FOOTNOTES.where(col(Footnote.document_id) == document_id)
    if after is not None:
        query = query.where(col(Footnote.number) > after)
    rows = session.execute(query.order_by(col(Footnote.number)).limit(limit + 1)).all()
    items = [_footnote_public(r, base, document_id) for r in rows[:limit]]
    return items, (rows[limit - 1].number if len(rows) > limit else None)


def get_footnote(session: Session, *, document_id: str, key: str, base: str) -> FootnotePublic:
    """Find a note by its ref (``fn1``) or by its printed marker (``66``)."""
    in_document = _FOOTNOTES.where(col(Footnote.document_id) == document_id)
    rows = session.execute(in_document.where(col(Footnote.ref) == key)).all()
    if not rows:
        rows = session.execute(
            in_document.where(col(Footnote.marker) == key).order_by(col(Footnote.number))
        ).all()
    require_document(session, document_id)
    if not rows:
        raise NotFound("footnote", key)
    if len(rows) > 1:
        refs = ", ".join(r.ref for r in rows)
        raise ProblemError(
            409,
            f"Marker {key!r} is printed more than once in this document; ask for one of the "
            f"notes by ref: {refs}.",
        )
    return _footnote_public(rows[0], base, document_id)


def list_pages(
    session: Session, *, document_id: str, after: int | None, limit: int
) -> tuple[list[PageMarkerPublic], int | None]:
    require_document(session, document_id)
    query = select(col(PageMarker.seq), col(PageMarker.n), col(PageMarker.offset)).where(
        col(PageMarker.document_id) == document_id
    )
    if after is not None:
        query = query.where(col(PageMarker.seq) > after)
    rows = session.execute(query.order_by(col(PageMarker.seq)).limit(limit + 1)).all()
    rows_page = rows[:limit]
    spans = session.execute(
        select(col(Passage.start_offset), col(Passage.ref))
        .where(col(Passage.document_id) == document_id)
        .order_by(col(Passage.seq))
    ).all()
    starts = [s.start_offset for s in spans]
    items = []
    for r in rows_page:
        index = bisect.bisect_right(starts, r.offset) - 1
        items.append(
            PageMarkerPublic(
                n=r.n, seq=r.seq, offset=r.offset, passage=spans[index].ref if index >= 0 else None
            )
        )
    return items, (rows[limit - 1].seq if len(rows) > limit else None)
