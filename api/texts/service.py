"""A document's text and its parts: passages, footnotes and page markers.

Every ``start``/``end`` is an offset into the document's full text, in code points unless
the caller asks for UTF-16 code units (``offsets``, see ``api.records.offsets``); offsets
inside a passage are ``passage_start``/``passage_end``. The main view leaves out boilerplate
passages; its response maps each passage to both coordinate systems so a frontend can
highlight in either.
"""

import bisect
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import Row, label, select
from sqlmodel import Session, col

from api.db.models import Document, Footnote, PageMarker, Passage
from api.documents.schemas import DocumentText, TextSegment
from api.documents.service import require_document
from api.errors import NotFound, ProblemError
from api.records.offsets import CODEPOINTS, OffsetUnit, Utf16Map, full_text_maps, utf16_length
from api.texts.schemas import FootnotePublic, Mark, PageMarkerPublic, PassagePublic

View = Literal["main", "full"]


def full_text_map(session: Session, document_id: str) -> Utf16Map:
    """The UTF-16 map of a document's full text, which every offset of it is into."""
    return full_text_maps(session, [document_id])[document_id]


def passages_in_utf16(passages: Sequence[PassagePublic], utf16: Utf16Map) -> None:
    """Count the passages' offsets (and their marks') in UTF-16 code units, in place."""
    if not utf16:
        return
    for p in passages:
        for mark in p.marks:
            mark.passage_start = utf16.within(p.start, mark.passage_start)
            mark.passage_end = utf16.within(p.start, mark.passage_end)
            mark.start, mark.end = utf16(mark.start), utf16(mark.end)
        p.start, p.end = utf16(p.start), utf16(p.end)


def footnotes_in_utf16(notes: Sequence[FootnotePublic], utf16: Utf16Map) -> None:
    """Count the notes' anchors in UTF-16 code units, in place."""
    if not utf16:
        return
    for note in notes:
        if note.start is not None and note.passage_start is not None:
            note.passage_start = utf16.within(note.start - note.passage_start, note.passage_start)
            note.start = utf16(note.start)


def pages_in_utf16(pages: Sequence[PageMarkerPublic], utf16: Utf16Map) -> None:
    """Count the page breaks' offsets in UTF-16 code units, in place."""
    if not utf16:
        return
    for page in pages:
        page.start = utf16(page.start)


def document_text(
    session: Session,
    *,
    document_id: str,
    view: View,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> DocumentText:
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
                passage=p.ref,
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
    length = len(text)
    if offsets == "utf16":
        in_full, in_view = Utf16Map(full), Utf16Map(text)
        for segment in segments:
            segment.start, segment.end = in_full(segment.start), in_full(segment.end)
            segment.view_start = in_view(segment.view_start)
            segment.view_end = in_view(segment.view_end)
        length = utf16_length(text)
    doc = f"{base}/v1/documents/{document_id}"
    return DocumentText(
        document=document_id,
        view=view,
        text=text,
        length=length,
        checksum=row.checksum,
        passages=segments,
        links={"self": f"{doc}/text?view={view}", "document": doc},
    )


def _marks(stored: list[dict[str, Any]] | None, start: int) -> list[Mark]:
    """A passage's marks, stored as offsets into its text, with their full-text offsets."""
    return [
        Mark(
            type=m["type"],
            start=start + m["start"],
            end=start + m["end"],
            passage_start=m["start"],
            passage_end=m["end"],
        )
        for m in stored or []
    ]


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
        marks=_marks(row.marks, row.start_offset),
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
    offsets: OffsetUnit = CODEPOINTS,
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
    if offsets == "utf16":
        passages_in_utf16(items, full_text_map(session, document_id))
    return items, (rows[limit - 1].seq if len(rows) > limit else None)


def get_passage(
    session: Session,
    *,
    document_id: str,
    ref: str,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> PassagePublic:
    row = session.execute(
        _PASSAGES.where(col(Passage.document_id) == document_id, col(Passage.ref) == ref)
    ).first()
    require_document(session, document_id)
    if row is None:
        raise NotFound("passage", ref)
    passage = _passage_public(row, base, document_id)
    if offsets == "utf16":
        passages_in_utf16([passage], full_text_map(session, document_id))
    return passage


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
        start=row.offset,
        passage_start=(
            row.offset - row.passage_start
            if row.offset is not None and row.passage_start is not None
            else None
        ),
        links=links,
    )


def list_footnotes(
    session: Session,
    *,
    document_id: str,
    after: int | None,
    limit: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> tuple[list[FootnotePublic], int | None]:
    require_document(session, document_id)
    query = _FOOTNOTES.where(col(Footnote.document_id) == document_id)
    if after is not None:
        query = query.where(col(Footnote.number) > after)
    rows = session.execute(query.order_by(col(Footnote.number)).limit(limit + 1)).all()
    items = [_footnote_public(r, base, document_id) for r in rows[:limit]]
    if offsets == "utf16":
        footnotes_in_utf16(items, full_text_map(session, document_id))
    return items, (rows[limit - 1].number if len(rows) > limit else None)


def get_footnote(
    session: Session,
    *,
    document_id: str,
    key: str,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> FootnotePublic:
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
    note = _footnote_public(rows[0], base, document_id)
    if offsets == "utf16":
        footnotes_in_utf16([note], full_text_map(session, document_id))
    return note


_PAGES = select(col(PageMarker.seq), col(PageMarker.n), col(PageMarker.offset))


def _pages_public(
    session: Session, rows: Sequence[Row[Any]], document_id: str, base: str
) -> list[PageMarkerPublic]:
    """Page markers with the passage each page begins in."""
    spans = session.execute(
        select(col(Passage.start_offset), col(Passage.ref))
        .where(col(Passage.document_id) == document_id)
        .order_by(col(Passage.seq))
    ).all()
    starts = [s.start_offset for s in spans]
    doc = f"{base}/v1/documents/{document_id}"
    items = []
    for r in rows:
        index = bisect.bisect_right(starts, r.offset) - 1
        passage = spans[index].ref if index >= 0 else None
        links = {"self": f"{doc}/pages/{r.seq}", "document": doc}
        if passage is not None:
            links["passage"] = f"{doc}/passages/{passage}"
        items.append(
            PageMarkerPublic(n=r.n, seq=r.seq, start=r.offset, passage=passage, links=links)
        )
    return items


def list_pages(
    session: Session,
    *,
    document_id: str,
    after: int | None,
    limit: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> tuple[list[PageMarkerPublic], int | None]:
    require_document(session, document_id)
    query = _PAGES.where(col(PageMarker.document_id) == document_id)
    if after is not None:
        query = query.where(col(PageMarker.seq) > after)
    rows = session.execute(query.order_by(col(PageMarker.seq)).limit(limit + 1)).all()
    items = _pages_public(session, rows[:limit], document_id, base)
    if offsets == "utf16":
        pages_in_utf16(items, full_text_map(session, document_id))
    return items, (rows[limit - 1].seq if len(rows) > limit else None)


def get_page(
    session: Session,
    *,
    document_id: str,
    seq: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> PageMarkerPublic:
    """One page break by its position in the document (``seq``, from 1)."""
    rows = session.execute(
        _PAGES.where(col(PageMarker.document_id) == document_id, col(PageMarker.seq) == seq)
    ).all()
    require_document(session, document_id)
    if not rows:
        raise NotFound("page", str(seq))
    items = _pages_public(session, rows, document_id, base)
    if offsets == "utf16":
        pages_in_utf16(items, full_text_map(session, document_id))
    return items[0]
