"""Entities and their mentions: the registry, keyword-in-context, who is named where."""

from typing import Any

from sqlalchemy import and_, case, func, literal, select, tuple_
from sqlmodel import Session

from api.db.models import (
    Collection,
    Document,
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    EventReport,
    Footnote,
    Mention,
    Passage,
)
from api.documents.service import require_document
from api.entities.schemas import (
    Alias,
    DocumentEntity,
    EntityCounts,
    EntityDocument,
    EntityPublic,
    EntitySummary,
    EventDetails,
    EventReportPublic,
    MentionPublic,
    Participant,
    Snippet,
)
from api.http.problems import NotFound

AUTHORITY_URIS = {
    "wikidata": "http://www.wikidata.org/entity/{}",
    "viaf": "http://viaf.org/viaf/{}",
    "geonames": "https://sws.geonames.org/{}/",
    "gnd": "https://d-nb.info/gnd/{}",
    "loc": "http://id.loc.gov/authorities/names/{}",
}
SNIPPET_CONTEXT = 60
VISIBLE = ("auto", "curated")


def live_documents() -> Any:
    """Mentions in deleted documents (tombstones) are not shown."""
    return select(Document.id).where(Document.deleted_at.is_(None))  # type: ignore[union-attr]


def entity_link(base: str, entity_id: str) -> str:
    return f"{base}/v1/entities/{entity_id}"


def _summary(row: Any, base: str) -> EntitySummary:
    return EntitySummary(
        id=row.id,
        type=row.type,
        name=row.name,
        date=row.date,
        links={"self": entity_link(base, row.id)},
    )


def require_entity(session: Session, entity_id: str) -> None:
    if session.execute(select(Entity.id).where(Entity.id == entity_id)).first() is None:
        raise NotFound("entity", entity_id)


def list_entities(
    session: Session,
    *,
    type_: str | None,
    prefix: str | None,
    collection: str | None,
    after: list[Any] | None,
    limit: int,
    base: str,
) -> tuple[list[EntitySummary], list[Any] | None]:
    query = select(Entity.id, Entity.type, Entity.name, Entity.date)
    if type_ is not None:
        query = query.where(Entity.type == type_)
    if prefix:
        folded = prefix.lower()
        named = select(EntityAlias.entity_id).where(
            EntityAlias.key.startswith(folded, autoescape=True)  # type: ignore[attr-defined]
        )
        query = query.where(
            func.lower(Entity.name).startswith(folded, autoescape=True) | Entity.id.in_(named)  # type: ignore[attr-defined]
        )
    if collection is not None:
        if session.get(Collection, collection) is None:
            raise NotFound("collection", collection)
        in_collection = (
            select(Mention.entity_id)
            .join(Document, Document.id == Mention.document_id)  # type: ignore[arg-type]
            .where(Document.collection_id == collection, Mention.status.in_(VISIBLE))  # type: ignore[attr-defined]
        )
        query = query.where(Entity.id.in_(in_collection))  # type: ignore[attr-defined]
    if after is not None:
        query = query.where(
            tuple_(Entity.name, Entity.id) > tuple_(literal(after[0]), literal(after[1]))
        )
    rows = session.execute(query.order_by(Entity.name, Entity.id).limit(limit + 1)).all()
    items = [_summary(r, base) for r in rows[:limit]]
    last = [rows[limit - 1].name, rows[limit - 1].id] if len(rows) > limit else None
    return items, last


def _event_details(session: Session, event_id: str, base: str) -> EventDetails | None:
    event = session.get(Event, event_id)
    if event is None:
        return None
    place = None
    if event.place_id is not None:
        row = session.execute(
            select(Entity.id, Entity.type, Entity.name, Entity.date).where(
                Entity.id == event.place_id
            )
        ).first()
        place = _summary(row, base) if row is not None else None
    participants = [
        Participant(id=r.id, name=r.name, type=r.type, role=r.role)
        for r in session.execute(
            select(Entity.id, Entity.name, Entity.type, EventParticipant.role)
            .join(EventParticipant, EventParticipant.entity_id == Entity.id)  # type: ignore[arg-type]
            .where(EventParticipant.event_id == event_id)
            .order_by(EventParticipant.id)
        ).all()
    ]
    reports = [
        EventReportPublic(
            document=r.document_id,
            title=r.title,
            passage=r.passage_ref,
            links={
                "document": f"{base}/v1/documents/{r.document_id}",
                **(
                    {"passage": f"{base}/v1/documents/{r.document_id}/passages/{r.passage_ref}"}
                    if r.passage_ref
                    else {}
                ),
            },
        )
        for r in session.execute(
            select(EventReport.document_id, EventReport.passage_ref, Document.title)
            .join(Document, Document.id == EventReport.document_id)  # type: ignore[arg-type]
            .where(EventReport.event_id == event_id)
            .order_by(EventReport.document_id, EventReport.passage_ref)
        ).all()
    ]
    return EventDetails(
        event_type=event.event_type, place=place, participants=participants, reported_in=reports
    )


def get_entity(session: Session, *, entity_id: str, base: str) -> EntityPublic:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    aliases = [
        Alias(text=r.text, case_sensitive=r.case_sensitive)
        for r in session.execute(
            select(EntityAlias.text, EntityAlias.case_sensitive)
            .where(EntityAlias.entity_id == entity_id)
            .order_by(EntityAlias.id)
        ).all()
    ]
    counts = session.execute(
        select(func.count(), func.count(func.distinct(Mention.document_id))).where(
            Mention.entity_id == entity_id,
            Mention.status.in_(VISIBLE),  # type: ignore[attr-defined]
            Mention.document_id.in_(live_documents()),  # type: ignore[attr-defined]
        )
    ).one()
    same_as = [
        AUTHORITY_URIS[scheme].format(value)
        for scheme, value in sorted(entity.external_ids.items())
        if scheme in AUTHORITY_URIS
    ]
    link = entity_link(base, entity_id)
    links = {"self": link, "mentions": f"{link}/mentions", "documents": f"{link}/documents"}
    if entity.type == "event":
        links["event"] = f"{base}/v1/events/{entity_id}"
    return EntityPublic(
        id=entity.id,
        type=entity.type,
        name=entity.name,
        aliases=aliases,
        description=entity.description,
        date=entity.date,
        date_start=entity.date_start,
        date_end=entity.date_end,
        external_ids=entity.external_ids,
        same_as=same_as,
        members=entity.members,
        counts=EntityCounts(mentions=counts[0], documents=counts[1]),
        event=_event_details(session, entity_id, base) if entity.type == "event" else None,
        links=links,
    )


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
    require_entity(session, entity_id)
    query = _mention_query().where(
        Mention.entity_id == entity_id,
        Mention.status.in_(_statuses(include_rejected)),  # type: ignore[attr-defined]
        Mention.document_id.in_(live_documents()),  # type: ignore[attr-defined]
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


def entity_documents(
    session: Session, *, entity_id: str, after: str | None, limit: int, base: str
) -> tuple[list[EntityDocument], str | None]:
    require_entity(session, entity_id)
    query = (
        select(Document.id, Document.title, Document.date, func.count(Mention.id).label("n"))
        .join(Mention, Mention.document_id == Document.id)  # type: ignore[arg-type]
        .where(
            Mention.entity_id == entity_id,
            Mention.status.in_(VISIBLE),  # type: ignore[attr-defined]
            Document.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .group_by(Document.id, Document.title, Document.date)
    )
    if after is not None:
        query = query.where(Document.id > after)
    rows = session.execute(query.order_by(Document.id).limit(limit + 1)).all()
    items = [
        EntityDocument(
            id=r.id,
            title=r.title,
            date=r.date,
            mentions=r.n,
            links={"self": f"{base}/v1/documents/{r.id}"},
        )
        for r in rows[:limit]
    ]
    return items, (rows[limit - 1].id if len(rows) > limit else None)


def document_entities(
    session: Session,
    *,
    document_id: str,
    entity_type: str | None,
    after: str | None,
    limit: int,
    base: str,
) -> tuple[list[DocumentEntity], str | None]:
    require_document(session, document_id)
    query = (
        select(Entity.id, Entity.type, Entity.name, func.count(Mention.id).label("n"))
        .join(Mention, and_(Mention.entity_id == Entity.id))  # type: ignore[arg-type]
        .where(Mention.document_id == document_id, Mention.status.in_(VISIBLE))  # type: ignore[attr-defined]
        .group_by(Entity.id, Entity.type, Entity.name)
    )
    if entity_type is not None:
        query = query.where(Entity.type == entity_type)
    if after is not None:
        query = query.where(Entity.id > after)
    rows = session.execute(query.order_by(Entity.id).limit(limit + 1)).all()
    items = [
        DocumentEntity(
            id=r.id,
            type=r.type,
            name=r.name,
            mentions=r.n,
            links={"self": entity_link(base, r.id)},
        )
        for r in rows[:limit]
    ]
    return items, (rows[limit - 1].id if len(rows) > limit else None)
