"""Events as a timeline, and what each event is linked to."""

import datetime as dt
from typing import Any

from sqlalchemy import Row, func, literal, select, tuple_, union
from sqlmodel import Session, col

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

_DATE = func.coalesce(col(Entity.date_start), literal(UNDATED))
# The columns of an event summary; every query of events starts from this statement.
_EVENTS = select(
    col(Entity.id),
    col(Entity.name),
    col(Entity.date),
    col(Entity.date_start),
    col(Entity.date_end),
    col(Event.event_type),
    col(Event.place_id),
    _DATE.label("sort_date"),
).join(Event, col(Event.id) == col(Entity.id))


def _summary(row: Row[Any], base: str) -> EventSummary:
    return EventSummary(
        id=row.id,
        name=row.name,
        type=row.event_type,
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
    query = _EVENTS
    if date_from is not None:
        query = query.where(col(Entity.date_end) >= date_from)
    if date_to is not None:
        query = query.where(col(Entity.date_start) <= date_to)
    if event_type is not None:
        query = query.where(col(Event.event_type) == event_type)
    if place is not None:
        query = query.where(col(Event.place_id) == place)
    if participant is not None:
        query = query.where(
            col(Entity.id).in_(
                select(col(EventParticipant.event_id)).where(
                    col(EventParticipant.entity_id) == participant
                )
            )
        )
    if document_id is not None:
        require_document(session, document_id)
        linked = union(
            select(col(EventReport.event_id)).where(col(EventReport.document_id) == document_id),
            select(col(Mention.entity_id)).where(
                col(Mention.document_id) == document_id,
                col(Mention.status).in_(VISIBLE),
            ),
        )
        query = query.where(col(Entity.id).in_(linked))
    if after is not None:
        try:
            day = dt.date.fromisoformat(after[0])
        except ValueError:
            raise ProblemError(400, "The cursor is not valid for this list.") from None
        bound = tuple_(literal(day), literal(after[1]))
        query = query.where(tuple_(_DATE, col(Entity.id)) > bound)
    rows = session.execute(query.order_by(_DATE, col(Entity.id)).limit(limit + 1)).all()
    items = [_summary(r, base) for r in rows[:limit]]
    last = None
    if len(rows) > limit:
        r = rows[limit - 1]
        last = [r.sort_date.isoformat(), r.id]
    return items, last


def get_event(session: Session, *, event_id: str, base: str) -> EventPublic:
    row = session.execute(_EVENTS.where(col(Entity.id) == event_id)).first()
    if row is None:
        raise NotFound("event", event_id)
    entity = session.get(Entity, event_id)
    assert entity is not None
    place_name = None
    if row.place_id is not None:
        place_name = session.execute(
            select(col(Entity.name)).where(col(Entity.id) == row.place_id)
        ).scalar()
    participants = [
        Participant(id=r.id, name=r.name, type=r.type, role=r.role)
        for r in session.execute(
            select(col(Entity.id), col(Entity.name), col(Entity.type), col(EventParticipant.role))
            .join(EventParticipant, col(EventParticipant.entity_id) == col(Entity.id))
            .where(col(EventParticipant.event_id) == event_id)
            .order_by(col(EventParticipant.id))
        ).all()
    ]
    reports: dict[str, list[str]] = {}
    for r in session.execute(
        select(col(EventReport.document_id), col(EventReport.passage_ref))
        .where(col(EventReport.event_id) == event_id)
        .order_by(col(EventReport.document_id), col(EventReport.passage_ref))
    ).all():
        refs = reports.setdefault(r.document_id, [])
        if r.passage_ref:
            refs.append(r.passage_ref)
    mentions: dict[str, int] = {
        document: count
        for document, count in session.execute(
            select(col(Mention.document_id), func.count())
            .where(col(Mention.entity_id) == event_id, col(Mention.status).in_(VISIBLE))
            .group_by(col(Mention.document_id))
        ).all()
    }
    ids = sorted(set(reports) | set(mentions))
    titles = {
        r.id: (r.title, r.date)
        for r in session.execute(
            select(col(Document.id), col(Document.title), col(Document.date)).where(
                col(Document.id).in_(ids)
            )
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
            select(col(EntityAlias.text), col(EntityAlias.case_sensitive))
            .where(col(EntityAlias.entity_id) == event_id)
            .order_by(col(EntityAlias.id))
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
    external = session.execute(
        select(col(Entity.external_ids)).where(col(Entity.id) == event_id)
    ).scalar()
    return jsonld.event_node(event, base, same_as=same_as(external))
