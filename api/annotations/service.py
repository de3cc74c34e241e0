"""A document's footnotes, mentions and anchored cross-references as Web Annotations.

Reads the document's text, passages, notes, visible mentions and span-anchored references
in a handful of queries and hands them to api/formats/annotations.py, in reading order:
annotations on the full text by offset, then those on notes by note number.
"""

import math
from typing import Any, Literal
from urllib.parse import quote

from sqlalchemy import and_, select
from sqlmodel import Session, col

from api.db.models import CrossReference, Document, Entity, Footnote, Mention, Passage
from api.db.models.mention import VISIBLE
from api.documents.service import require_document
from api.errors import NotFound
from api.formats import annotations as anno
from api.formats.jsonld.writer import document_iri, entity_iri
from api.records.offsets import CODEPOINTS, OffsetUnit, Utf16Map

PAGE_SIZE = 500


def annotation_page(
    session: Session,
    *,
    document_id: str,
    page: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> dict[str, Any]:
    """Page ``page`` (from 1) of the document's annotations; ``base`` is absolute.

    The position selectors count code points, as the Web Annotation model has them, or
    UTF-16 code units when ``offsets`` asks for them (the quote selectors are the same).
    """
    require_document(session, document_id)
    document = session.execute(
        select(col(Document.text), col(Document.language)).where(col(Document.id) == document_id)
    ).one()
    full: str = document.text
    language: str = document.language
    utf16 = offsets == "utf16"
    in_full = Utf16Map(full) if utf16 else None
    doc_url = document_iri(base, document_id)
    text_url = f"{doc_url}/text?view=full"
    collection_url = f"{doc_url}/annotations"
    passages = {
        r.id: r
        for r in session.execute(
            select(
                col(Passage.id),
                col(Passage.ref),
                col(Passage.start_offset),
                col(Passage.end_offset),
            ).where(col(Passage.document_id) == document_id)
        ).all()
    }
    notes = {
        r.id: r
        for r in session.execute(
            select(
                col(Footnote.id),
                col(Footnote.ref),
                col(Footnote.number),
                col(Footnote.text),
                col(Footnote.offset),
                col(Footnote.passage_id),
            ).where(col(Footnote.document_id) == document_id)
        ).all()
    }

    def note_url(ref: str) -> str:
        return f"{doc_url}/footnotes/{quote(ref, safe='')}"

    entries: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def add_span(
        key_kind: int,
        identifier: str,
        motivation: Literal["commenting", "identifying", "linking"],
        body: dict[str, Any],
        passage_id: int | None,
        footnote_id: int | None,
        start: int,
        end: int,
    ) -> None:
        if passage_id is not None and passage_id in passages:
            offset = passages[passage_id].start_offset
            target = anno.TextTarget(text_url, full, offset + start, offset + end)
            key: tuple[Any, ...] = (0, target.start, key_kind, identifier)
            units = in_full
        elif footnote_id is not None and footnote_id in notes:
            note = notes[footnote_id]
            target = anno.TextTarget(note_url(note.ref), note.text, start, end)
            key = (1, note.number, start, key_kind, identifier)
            units = Utf16Map(note.text) if utf16 else None
        else:
            return
        entries.append((key, anno.annotation(identifier, motivation, body, target, units)))

    for note in notes.values():
        passage = passages.get(note.passage_id) if note.passage_id is not None else None
        if note.offset is not None and passage is not None:
            start, end = anno.marked_word(
                full, note.offset, passage.start_offset, passage.end_offset
            )
        elif passage is not None:
            start, end = passage.start_offset, passage.end_offset
        else:
            start, end = 0, len(full)
        target = anno.TextTarget(text_url, full, start, end)
        entries.append(
            (
                (0, end, 0, note.number),
                anno.annotation(
                    f"{collection_url}#footnote-{note.ref}",
                    "commenting",
                    {**anno.textual_body(note.text, language), "id": note_url(note.ref)},
                    target,
                    in_full,
                ),
            )
        )

    mentions = session.execute(
        select(
            col(Mention.id),
            col(Mention.passage_id),
            col(Mention.footnote_id),
            col(Mention.start),
            col(Mention.end),
            col(Mention.entity_id),
            col(Entity.type),
        )
        .join(Entity, col(Entity.id) == col(Mention.entity_id))
        .where(col(Mention.document_id) == document_id, col(Mention.status).in_(VISIBLE))
    ).all()
    for m in mentions:
        body = {
            "type": "SpecificResource",
            "source": entity_iri(base, m.entity_id, m.type),
            "purpose": "identifying",
        }
        add_span(
            1,
            f"{collection_url}#mention-{m.id}",
            "identifying",
            body,
            m.passage_id,
            m.footnote_id,
            m.start,
            m.end,
        )

    references = session.execute(
        select(CrossReference).where(
            col(CrossReference.source_document_id) == document_id,
            and_(
                col(CrossReference.source_start).is_not(None),
                col(CrossReference.source_end).is_not(None),
            ),
        )
    ).scalars()
    for x in references:
        if x.target_document_id is not None:
            destination = document_iri(base, x.target_document_id)
            if x.target_footnote_ref:
                destination += f"/footnotes/{quote(x.target_footnote_ref, safe='')}"
            elif x.target_passage_ref:
                destination += f"/passages/{quote(x.target_passage_ref, safe='')}"
            body = {"type": "SpecificResource", "source": destination, "purpose": "linking"}
        else:
            cited = f"{x.target_scheme} {x.target_value}"
            label = f"{x.target_label} ({cited})" if x.target_label else cited
            body = anno.textual_body(f"{x.relation}: {label}", language, "describing")
        add_span(
            2,
            f"{collection_url}#cross-reference-{x.id}",
            "linking",
            body,
            x.source_passage_id,
            x.source_footnote_id,
            x.source_start or 0,
            x.source_end or 0,
        )

    entries.sort(key=lambda entry: entry[0])
    total = len(entries)
    last = max(1, math.ceil(total / PAGE_SIZE))
    if page > last:
        raise NotFound("annotation page", str(page))
    offset = (page - 1) * PAGE_SIZE
    items = [item for _, item in entries[offset : offset + PAGE_SIZE]]
    unit = "&offsets=utf16" if utf16 else ""  # the pages count in the unit asked for
    return anno.page(
        f"{collection_url}?page={page}{unit}",
        collection_url,
        items,
        total=total,
        start_index=offset,
        next_page=f"{collection_url}?page={page + 1}{unit}" if page < last else None,
        previous_page=f"{collection_url}?page={page - 1}{unit}" if page > 1 else None,
    )
