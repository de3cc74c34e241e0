"""Entities: the registry, the documents that name an entity, and who is named where."""

from typing import Any

from sqlalchemy import and_, func, literal, select, tuple_
from sqlmodel import Session

from api.db.models import (
    Collection,
    Document,
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    EventReport,
    Mention,
)
from api.db.models.document import live_document_ids
from api.db.models.mention import VISIBLE
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
    Participant,
)
from api.errors import NotFound
from api.formats.jsonld import writer as jsonld
from api.links import entity_link, same_as


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
            Mention.document_id.in_(live_document_ids()),  # type: ignore[attr-defined]
        )
    ).one()
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
        same_as=same_as(entity.external_ids),
        members=entity.members,
        counts=EntityCounts(mentions=counts[0], documents=counts[1]),
        event=_event_details(session, entity_id, base) if entity.type == "event" else None,
        links=links,
    )


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


def entity_jsonld(session: Session, *, entity_id: str, base: str) -> dict[str, Any]:
    return jsonld.entity_node(get_entity(session, entity_id=entity_id, base=base), base)
