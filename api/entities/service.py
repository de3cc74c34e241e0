"""Entities: the registry, the documents that name an entity, and who is named where."""

from typing import Any

from sqlalchemy import Row, func, literal, select, tuple_
from sqlmodel import Session, col

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
from api.db.models.document import is_live, live_document_ids
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


def _summary(row: Row[Any], base: str) -> EntitySummary:
    return EntitySummary(
        id=row.id,
        type=row.type,
        name=row.name,
        date=row.date,
        links={"self": entity_link(base, row.id)},
    )


def require_entity(session: Session, entity_id: str) -> None:
    if session.execute(select(col(Entity.id)).where(col(Entity.id) == entity_id)).first() is None:
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
    query = select(col(Entity.id), col(Entity.type), col(Entity.name), col(Entity.date))
    if type_ is not None:
        query = query.where(col(Entity.type) == type_)
    if prefix:
        folded = prefix.lower()
        named = select(col(EntityAlias.entity_id)).where(
            col(EntityAlias.key).startswith(folded, autoescape=True)
        )
        query = query.where(
            func.lower(col(Entity.name)).startswith(folded, autoescape=True)
            | col(Entity.id).in_(named)
        )
    if collection is not None:
        if session.get(Collection, collection) is None:
            raise NotFound("collection", collection)
        in_collection = (
            select(col(Mention.entity_id))
            .join(Document, col(Document.id) == col(Mention.document_id))
            .where(col(Document.collection_id) == collection, col(Mention.status).in_(VISIBLE))
        )
        query = query.where(col(Entity.id).in_(in_collection))
    if after is not None:
        query = query.where(
            tuple_(col(Entity.name), col(Entity.id)) > tuple_(literal(after[0]), literal(after[1]))
        )
    rows = session.execute(query.order_by(col(Entity.name), col(Entity.id)).limit(limit + 1)).all()
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
            select(col(Entity.id), col(Entity.type), col(Entity.name), col(Entity.date)).where(
                col(Entity.id) == event.place_id
            )
        ).first()
        place = _summary(row, base) if row is not None else None
    participants = [
        Participant(id=r.id, name=r.name, type=r.type, role=r.role)
        for r in session.execute(
            select(col(Entity.id), col(Entity.name), col(Entity.type), col(EventParticipant.role))
            .join(EventParticipant, col(EventParticipant.entity_id) == col(Entity.id))
            .where(col(EventParticipant.event_id) == event_id)
            .order_by(col(EventParticipant.id))
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
            select(col(EventReport.document_id), col(EventReport.passage_ref), col(Document.title))
            .join(Document, col(Document.id) == col(EventReport.document_id))
            .where(col(EventReport.event_id) == event_id)
            .order_by(col(EventReport.document_id), col(EventReport.passage_ref))
        ).all()
    ]
    return EventDetails(
        type=event.event_type, place=place, participants=participants, reported_in=reports
    )


def get_entity(session: Session, *, entity_id: str, base: str) -> EntityPublic:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    aliases = [
        Alias(text=r.text, case_sensitive=r.case_sensitive)
        for r in session.execute(
            select(col(EntityAlias.text), col(EntityAlias.case_sensitive))
            .where(col(EntityAlias.entity_id) == entity_id)
            .order_by(col(EntityAlias.id))
        ).all()
    ]
    counts = session.execute(
        select(func.count(), func.count(func.distinct(col(Mention.document_id)))).where(
            col(Mention.entity_id) == entity_id,
            col(Mention.status).in_(VISIBLE),
            col(Mention.document_id).in_(live_document_ids()),
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
        select(
            col(Document.id),
            col(Document.title),
            col(Document.date),
            func.count(col(Mention.id)).label("n"),
        )
        .join(Mention, col(Mention.document_id) == col(Document.id))
        .where(col(Mention.entity_id) == entity_id, col(Mention.status).in_(VISIBLE), is_live())
        .group_by(col(Document.id), col(Document.title), col(Document.date))
    )
    if after is not None:
        query = query.where(col(Document.id) > after)
    rows = session.execute(query.order_by(col(Document.id)).limit(limit + 1)).all()
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
        select(
            col(Entity.id),
            col(Entity.type),
            col(Entity.name),
            func.count(col(Mention.id)).label("n"),
        )
        .join(Mention, col(Mention.entity_id) == col(Entity.id))
        .where(col(Mention.document_id) == document_id, col(Mention.status).in_(VISIBLE))
        .group_by(col(Entity.id), col(Entity.type), col(Entity.name))
    )
    if entity_type is not None:
        query = query.where(col(Entity.type) == entity_type)
    if after is not None:
        query = query.where(col(Entity.id) > after)
    rows = session.execute(query.order_by(col(Entity.id)).limit(limit + 1)).all()
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
