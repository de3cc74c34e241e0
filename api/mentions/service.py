"""Mentions: where each entity is named, in reading order, with a keyword in context.

Mention offsets are relative to their passage or note; a passage's mentions also carry
offsets into the full text (``text_start``/``text_end``).
"""

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


def _mention_public(row: Row[Any], base: str, *, snippet: bool) -> MentionPublic:
    doc = f"{base}/v1/documents/{row.document_id}"
    in_passage = row.passage_ref is not None
    ref = row.passage_ref if in_passage else row.footnote_ref
    container_link = f"{doc}/passages/{ref}" if in_passage else f"{doc}/footnotes/{ref}"
    return MentionPublic(
        id=row.id,
        entity=row.entity_id,
        entity_name=row.entity_name,
        document=row.document_id,
        container="passage" if in_passage else "footnote",
        ref=ref,
        start=row.start,
        end=row.end,
        text_start=row.passage_start + row.start if in_passage else None,
        text_end=row.passage_start + row.end if in_passage else None,
        surface=row.surface,
        status=row.status,
        snippet=_snippet(row.container_text, row.start, row.end) if snippet else None,
        links={
            "entity": entity_link(base, row.entity_id),
            "document": doc,
            "passage" if in_passage else "footnote": container_link,
        },
    )


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
    items = [_mention_public(r, base, snippet=True) for r in rows[:limit]]
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
    items = [_mention_public(r, base, snippet=False) for r in rows[:limit]]
    last = None
    if len(rows) > limit:
        r = rows[limit - 1]
        last = [r.grp, r.seq, r.start, r.id]
    return items, last


def get_mention(session: Session, *, mention_id: int, base: str) -> MentionPublic:
    row = session.execute(_MENTIONS.where(col(Mention.id) == mention_id)).first()
    if row is None:
        raise NotFound("mention", str(mention_id))
    return _mention_public(row, base, snippet=True)
