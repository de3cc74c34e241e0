"""Events as a timeline, and what each event is linked to."""

import datetime as dt
from typing import Any

from sqlalchemy import func, literal, select, tuple_, union
from sqlmodel import Session

from api.db.models import (
    Document,
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    EventReport,
    Mention,
)
from api.db.models.mention import VISIBLE
from api.documents.service import UNDATED, require_document
from api.entities.schemas import Alias, Participant
from api.errors import NotFound, ProblemError
from api.events.schemas import EventDocument, EventPublic, EventSummary
from api.formats.jsonld import writer as jsonld
from api.links import same_as

_DATE = func.coalesce(Entity.date_start, literal(UNDATED))


def _columns() -> Any:
    return select(
        Entity.id,
        Entity.name,
        Entity.date,
        Entity.date_start,
        Entity.date_end,
        Event.event_type,
        Event.place_id,
        _DATE.label("sort_date"),
    ).join(Event, Event.id == Entity.id)  # type: ignore[arg-type]


def _summary(row: Any, base: str) -> EventSummary:
    return EventSummary(
        id=row.id,
        name=row.name,
        event_type=row.event_type,
        date=row.date,
        date_start=row.date_start,
        date_end=row.date_end,
        place=row.place_id,
        links={"self": f"{base}/v1/events/{row.id}"},
    )


def list_events(
    session: Session,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    event_type: str | None,
    place: str | None,
    participant: str | None,
    document_id: str | None = None,
    after: list[Any] | None,
    limit: int,
    base: str,
) -> tuple[list[EventSummary], list[Any] | None]:
    query = _columns()
    if date_from is not None:
        query = query.where(Entity.date_end >= date_from)  # type: ignore[operator]
    if date_to is not None:
        query = query.where(Entity.date_start <= date_to)  # type: ignore[operator]
    if event_type is not None:
        query = query.where(Event.event_type == event_type)
    if place is not None:
        query = query.where(Event.place_id == place)
    if participant is not None:
        query = query.where(
            Entity.id.in_(  # type: ignore[attr-defined]
                select(EventParticipant.event_id).where(EventParticipant.entity_id == participant)
            )
        )
    if document_id is not None:
        require_document(session, document_id)
        linked = union(
            select(EventReport.event_id).where(EventReport.document_id == document_id),
            select(Mention.entity_id).where(
                Mention.document_id == document_id,
                Mention.status.in_(VISIBLE),  # type: ignore[attr-defined]
            ),
        )
        query = query.where(Entity.id.in_(linked))  # type: ignore[attr-defined]
    if after is not None:
        try:
            day = dt.date.fromisoformat(after[0])
        except ValueError:
            raise ProblemError(400, "The cursor is not valid for this list.") from None
        bound = tuple_(literal(day), literal(after[1]))
        query = query.where(tuple_(_DATE, Entity.id) > bound)
    rows = session.execute(query.order_by(_DATE, Entity.id).limit(limit + 1)).all()
    items = [_summary(r, base) for r in rows[:limit]]
    last = None
    if len(rows) > limit:
        r = rows[limit - 1]
        last = [r.sort_date.isoformat(), r.id]
    return items, last


def get_event(session: Session, *, event_id: str, base: str) -> EventPublic:
    row = session.execute(_columns().where(Entity.id == event_id)).first()
    if row is None:
        raise NotFound("event", event_id)
    entity = session.get(Entity, event_id)
    assert entity is not None
    place_name = None
    if row.place_id is not None:
        place_name = session.execute(select(Entity.name).where(Entity.id == row.place_id)).scalar()
    participants = [
        Participant(id=r.id, name=r.name, type=r.type, role=r.role)
        for r in session.execute(
            select(Entity.id, Entity.name, Entity.type, EventParticipant.role)
            .join(EventParticipant, EventParticipant.entity_id == Entity.id)  # type: ignore[arg-type]
            .where(EventParticipant.event_id == event_id)
            .order_by(EventParticipant.id)
        ).all()
    ]
    reports: dict[str, list[str]] = {}
    for r in session.execute(
        select(EventReport.document_id, EventReport.passage_ref)
        .where(EventReport.event_id == event_id)
        .order_by(EventReport.document_id, EventReport.passage_ref)
    ).all():
        refs = reports.setdefault(r.document_id, [])
        if r.passage_ref:
            refs.append(r.passage_ref)
    mentions = dict(
        session.execute(
            select(Mention.document_id, func.count())
            .where(Mention.entity_id == event_id, Mention.status.in_(VISIBLE))  # type: ignore[attr-defined]
            .group_by(Mention.document_id)
        ).all()
    )
    ids = sorted(set(reports) | set(mentions))
    titles = {
        r.id: (r.title, r.date)
        for r in session.execute(
            select(Document.id, Document.title, Document.date).where(Document.id.in_(ids))  # type: ignore[attr-defined]
        ).all()
    }
    documents = [
        EventDocument(
            id=doc,
            title=titles[doc][0],
            date=titles[doc][1],
            reported_in=reports.get(doc, []),
            mentions=mentions.get(doc, 0),
            links={"self": f"{base}/v1/documents/{doc}"},
        )
        for doc in ids
        if doc in titles
    ]
    aliases = [
        Alias(text=a.text, case_sensitive=a.case_sensitive)
        for a in session.execute(
            select(EntityAlias.text, EntityAlias.case_sensitive)
            .where(EntityAlias.entity_id == event_id)
            .order_by(EntityAlias.id)
        ).all()
    ]
    summary = _summary(row, base)
    return EventPublic(
        **summary.model_dump(),
        place_name=place_name,
        description=entity.description,
        aliases=aliases,
        participants=participants,
        documents=documents,
    )


def event_jsonld(session: Session, *, event_id: str, base: str) -> dict[str, Any]:
    event = get_event(session, event_id=event_id, base=base)
    external = session.execute(select(Entity.external_ids).where(Entity.id == event_id)).scalar()
    return jsonld.event_node(event, base, same_as=same_as(external))
