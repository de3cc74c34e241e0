"""Mentions: where each entity is named, in reading order, with a keyword in context.

A mention's ``start``/``end`` are offsets into the document's full text (none for a mention
in a footnote, whose text is not part of it); ``passage_start``/``passage_end`` are into the
text of its passage or note, as stored.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, case, func, label, literal, select, tuple_
from sqlmodel import Session, col

from api.db.models import (
    Entity,
    Footnote,
    Mention,
    Passage,
)
from api.db.models.document import live_document_ids
from api.db.models.mention import VISIBLE
from api.documents.service import require_document
from api.errors import NotFound
from api.links import entity_link
from api.mentions.schemas import MentionPublic, Snippet
from api.records.offsets import CODEPOINTS, OffsetUnit, Utf16Map, full_text_maps

SNIPPET_CONTEXT = 60


def _snippet(text: str, start: int, end: int) -> Snippet:
    left = max(0, start - SNIPPET_CONTEXT)
    right = min(len(text), end + SNIPPET_CONTEXT)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    before = ("… " if left > 0 else "") + text[left:start]
    after = text[end:right] + (" …" if right < len(text) else "")
    return Snippet(before=before, match=text[start:end], after=after)


# Order mentions as a reader meets them: passages in order, then the notes.
_GROUP = case((col(Mention.passage_id).is_(None), 1), else_=0)


_SEQ = func.coalesce(col(Passage.seq), col(Footnote.number))

# A mention with its entity's name and where it stands; every query of mentions starts here.
_MENTIONS = (
    select(
        col(Mention.id),
        col(Mention.entity_id),
        label("entity_name", col(Entity.name)),
        label("entity_type", col(Entity.type)),
        col(Mention.document_id),
        col(Mention.start),
        col(Mention.end),
        col(Mention.surface),
        col(Mention.status),
        label("passage_ref", col(Passage.ref)),
        label("passage_start", col(Passage.start_offset)),
        label("footnote_ref", col(Footnote.ref)),
        func.coalesce(col(Passage.text), col(Footnote.text)).label("container_text"),
        _GROUP.label("grp"),
        _SEQ.label("seq"),
    )
    .join(Entity, col(Entity.id) == col(Mention.entity_id))
    .outerjoin(Passage, col(Passage.id) == col(Mention.passage_id))
    .outerjoin(Footnote, col(Footnote.id) == col(Mention.footnote_id))
)


def _mention_public(
    row: Row[Any], base: str, *, snippet: bool, utf16: dict[str, Utf16Map] | None = None
) -> MentionPublic:
    """A mention as shown; ``utf16`` holds the maps of the documents' full texts when the
    offsets are to count UTF-16 code units."""
    doc = f"{base}/v1/documents/{row.document_id}"
    in_passage = row.passage_ref is not None
    ref = row.passage_ref if in_passage else row.footnote_ref
    container_link = f"{doc}/passages/{ref}" if in_passage else f"{doc}/footnotes/{ref}"
    start: int | None = row.passage_start + row.start if in_passage else None
    end: int | None = row.passage_start + row.end if in_passage else None
    passage_start, passage_end = row.start, row.end
    if utf16 is not None:
        if in_passage:
            full = utf16[row.document_id]
            passage_start = full.within(row.passage_start, row.start)
            passage_end = full.within(row.passage_start, row.end)
            start, end = full.optional(start), full.optional(end)
        else:
            note = Utf16Map(row.container_text)
            passage_start, passage_end = note(row.start), note(row.end)
    return MentionPublic(
        id=row.id,
        entity=row.entity_id,
        entity_name=row.entity_name,
        entity_type=row.entity_type,
        document=row.document_id,
        container="passage" if in_passage else "footnote",
        passage=row.passage_ref,
        footnote=None if in_passage else row.footnote_ref,
        start=start,
        end=end,
        passage_start=passage_start,
        passage_end=passage_end,
        surface=row.surface,
        status=row.status,
        snippet=_snippet(row.container_text, row.start, row.end) if snippet else None,
        links={
            "self": f"{base}/v1/mentions/{row.id}",
            "entity": entity_link(base, row.entity_id),
            "document": doc,
            "passage" if in_passage else "footnote": container_link,
        },
    )


def _shown(
    session: Session, rows: Sequence[Row[Any]], base: str, *, snippet: bool, offsets: OffsetUnit
) -> list[MentionPublic]:
    utf16 = full_text_maps(session, (r.document_id for r in rows)) if offsets == "utf16" else None
    return [_mention_public(r, base, snippet=snippet, utf16=utf16) for r in rows]


def _statuses(include_rejected: bool) -> tuple[str, ...]:
    return (*VISIBLE, "rejected") if include_rejected else VISIBLE


def entity_mentions(
    session: Session,
    *,
    entity_id: str,
    document_id: str | None,
    include_rejected: bool,
    after: list[Any] | None,
    limit: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> tuple[list[MentionPublic], list[Any] | None]:
    query = _MENTIONS.where(
        col(Mention.entity_id) == entity_id,
        col(Mention.status).in_(_statuses(include_rejected)),
        col(Mention.document_id).in_(live_document_ids()),
    )
    if document_id is not None:
        query = query.where(col(Mention.document_id) == document_id)
    order = (col(Mention.document_id), _GROUP, _SEQ, col(Mention.start), col(Mention.id))
    key = tuple_(*order)
    if after is not None:
        query = query.where(key > tuple_(*(literal(v) for v in after)))
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    items = _shown(session, rows[:limit], base, snippet=True, offsets=offsets)
    last = None
    if len(rows) > limit:
        r = rows[limit - 1]
        last = [r.document_id, r.grp, r.seq, r.start, r.id]
    return items, last


def document_mentions(
    session: Session,
    *,
    document_id: str,
    entity_type: str | None,
    include_rejected: bool,
    after: list[Any] | None,
    limit: int,
    base: str,
    offsets: OffsetUnit = CODEPOINTS,
) -> tuple[list[MentionPublic], list[Any] | None]:
    require_document(session, document_id)
    query = _MENTIONS.where(
        col(Mention.document_id) == document_id,
        col(Mention.status).in_(_statuses(include_rejected)),
    )
    if entity_type is not None:
        query = query.where(col(Entity.type) == entity_type)
    order = (_GROUP, _SEQ, col(Mention.start), col(Mention.id))
    key = tuple_(*order)
    if after is not None:
        query = query.where(key > tuple_(*(literal(v) for v in after)))
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    items = _shown(session, rows[:limit], base, snippet=False, offsets=offsets)
    last = None
    if len(rows) > limit:
        r = rows[limit - 1]
        last = [r.grp, r.seq, r.start, r.id]
    return items, last


def get_mention(
    session: Session, *, mention_id: int, base: str, offsets: OffsetUnit = CODEPOINTS
) -> MentionPublic:
    row = session.execute(_MENTIONS.where(col(Mention.id) == mention_id)).first()
    if row is None:
        raise NotFound("mention", str(mention_id))
    return _shown(session, [row], base, snippet=True, offsets=offsets)[0]
