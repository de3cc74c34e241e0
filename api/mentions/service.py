"""Mentions: where each entity is named, in reading order, with a keyword in context.

Mention offsets are relative to their passage or note; a passage's mentions also carry
offsets into the full text (``text_start``/``text_end``).
"""

from typing import Any

from sqlalchemy import case, func, literal, select, tuple_
from sqlmodel import Session

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
_GROUP = case((Mention.passage_id.is_(None), 1), else_=0)  # type: ignore[union-attr]


_SEQ = func.coalesce(Passage.seq, Footnote.number)


def _mention_query() -> Any:
    return (
        select(
            Mention.id,
            Mention.entity_id,
            Entity.name.label("entity_name"),  # type: ignore[attr-defined]
            Mention.document_id,
            Mention.start,
            Mention.end,
            Mention.surface,
            Mention.status,
            Passage.ref.label("passage_ref"),  # type: ignore[attr-defined]
            Passage.start_offset.label("passage_start"),  # type: ignore[attr-defined]
            Footnote.ref.label("footnote_ref"),  # type: ignore[attr-defined]
            func.coalesce(Passage.text, Footnote.text).label("container_text"),
            _GROUP.label("grp"),
            _SEQ.label("seq"),
        )
        .join(Entity, Entity.id == Mention.entity_id)  # type: ignore[arg-type]
        .outerjoin(Passage, Passage.id == Mention.passage_id)  # type: ignore[arg-type]
        .outerjoin(Footnote, Footnote.id == Mention.footnote_id)  # type: ignore[arg-type]
    )


def _mention_public(row: Any, base: str, *, snippet: bool) -> MentionPublic:
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
    query = _mention_query().where(
        Mention.entity_id == entity_id,
        Mention.status.in_(_statuses(include_rejected)),  # type: ignore[attr-defined]
        Mention.document_id.in_(live_document_ids()),  # type: ignore[attr-defined]
    )
    if document_id is not None:
        query = query.where(Mention.document_id == document_id)
    key = tuple_(Mention.document_id, _GROUP, _SEQ, Mention.start, Mention.id)
    if after is not None:
        query = query.where(key > tuple_(*(literal(v) for v in after)))
    order = (Mention.document_id, _GROUP, _SEQ, Mention.start, Mention.id)
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
    query = _mention_query().where(
        Mention.document_id == document_id,
        Mention.status.in_(_statuses(include_rejected)),  # type: ignore[attr-defined]
    )
    if entity_type is not None:
        query = query.where(Entity.type == entity_type)
    key = tuple_(_GROUP, _SEQ, Mention.start, Mention.id)
    if after is not None:
        query = query.where(key > tuple_(*(literal(v) for v in after)))
    rows = session.execute(
        query.order_by(_GROUP, _SEQ, Mention.start, Mention.id).limit(limit + 1)
    ).all()
    items = [_mention_public(r, base, snippet=False) for r in rows[:limit]]
    last = None
    if len(rows) > limit:
        r = rows[limit - 1]
        last = [r.grp, r.seq, r.start, r.id]
    return items, last


def get_mention(session: Session, *, mention_id: int, base: str) -> MentionPublic:
    row = session.execute(_mention_query().where(Mention.id == mention_id)).first()
    if row is None:
        raise NotFound("mention", str(mention_id))
    return _mention_public(row, base, snippet=True)
