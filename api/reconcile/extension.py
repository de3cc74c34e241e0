"""What data extension and the preview read of the entities asked about: their aliases,
dates, authority ids, related entities (members, an event's place and participants) and
how many documents name them, from the registry (no HTTP here)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import Entity, EntityAlias, Event, EventParticipant
from api.errors import NotFound
from api.links import same_as
from api.reconcile.queries import Extension
from api.reconcile.schemas import (
    DateValue,
    EntityValue,
    ExtensionColumn,
    ExtensionResponse,
    IntValue,
    TextValue,
    Value,
)
from api.reconcile.service import documents_naming, type_ref
from api.reconcile.vocabulary import PROPERTY_BY_ID, TYPE_NAMES


@dataclass(frozen=True, slots=True)
class _Facts:
    """What data extension and the preview read of one entity."""

    entity: Entity
    aliases: list[str]
    documents: int
    names: dict[str, str]  # ids of related entities (members, place, participants) → names
    place: str | None
    participants: list[str]


def _facts(session: Session, ids: list[str]) -> dict[str, _Facts]:
    entities = {
        e.id: e for e in session.execute(select(Entity).where(col(Entity.id).in_(ids))).scalars()
    }
    if not entities:
        return {}
    aliases: dict[str, list[str]] = {}
    for row in session.execute(
        select(col(EntityAlias.entity_id), col(EntityAlias.text))
        .where(col(EntityAlias.entity_id).in_(entities))
        .order_by(col(EntityAlias.id))
    ).all():
        aliases.setdefault(row.entity_id, []).append(row.text)
    places = dict(
        session.execute(
            select(col(Event.id), col(Event.place_id)).where(col(Event.id).in_(entities))
        ).all()
    )
    participants: dict[str, list[str]] = {}
    for row in session.execute(
        select(col(EventParticipant.event_id), col(EventParticipant.entity_id))
        .where(col(EventParticipant.event_id).in_(entities))
        .order_by(col(EventParticipant.id))
    ).all():
        people = participants.setdefault(row.event_id, [])
        if row.entity_id not in people:
            people.append(row.entity_id)
    related = {m for e in entities.values() for m in e.members}
    related |= {p for p in places.values() if p} | {p for ps in participants.values() for p in ps}
    names = {
        row.id: row.name
        for row in session.execute(
            select(col(Entity.id), col(Entity.name)).where(col(Entity.id).in_(related))
        ).all()
    }
    documents = documents_naming(session, entities)
    return {
        entity_id: _Facts(
            entity=entity,
            aliases=[a for a in aliases.get(entity_id, []) if a != entity.name],
            documents=documents.get(entity_id, 0),
            names=names,
            place=places.get(entity_id),
            participants=participants.get(entity_id, []),
        )
        for entity_id, entity in entities.items()
    }


def _day(value: dt.date | None) -> list[Value]:
    return [DateValue(date=f"{value.isoformat()}T00:00:00Z")] if value is not None else []


def _related(facts: _Facts, ids: Iterable[str]) -> list[Value]:
    return [EntityValue(id=i, name=facts.names[i]) for i in ids if i in facts.names]


def _values(facts: _Facts, pid: str) -> list[Value]:
    entity = facts.entity
    texts: list[str]
    if pid == "aliases":
        texts = facts.aliases
    elif pid == "dates":
        texts = [entity.date] if entity.date else []
    elif pid == "description":
        texts = [entity.description] if entity.description else []
    elif pid == "type":
        texts = [entity.type]
    elif pid == "external_ids":
        texts = [f"{scheme}:{value}" for scheme, value in sorted(entity.external_ids.items())]
    elif pid == "same_as":
        texts = same_as(entity.external_ids)
    elif pid == "date_start":
        return _day(entity.date_start)
    elif pid == "date_end":
        return _day(entity.date_end)
    elif pid == "documents":
        return [IntValue(number=facts.documents)]
    elif pid == "members":
        return _related(facts, entity.members)
    elif pid == "place":
        return _related(facts, [facts.place] if facts.place else [])
    elif pid == "participants":
        return _related(facts, facts.participants)
    else:
        return []  # a property this service does not have
    return [TextValue(text=t) for t in texts]


def extend(session: Session, extension: Extension) -> ExtensionResponse:
    """The values of the properties asked for, for each entity id asked about; an id
    that is no entity, or a property this service lacks, gets no values."""
    facts = _facts(session, list(extension.ids))
    meta = []
    for wanted in extension.properties:
        known = PROPERTY_BY_ID.get(wanted.id)
        meta.append(
            ExtensionColumn(
                id=wanted.id,
                name=known.name if known else wanted.id,
                type=type_ref("place") if wanted.id == "place" else None,
            )
        )
    rows: dict[str, dict[str, list[Value]]] = {}
    for entity_id in extension.ids:
        found = facts.get(entity_id)
        row: dict[str, list[Value]] = {}
        for wanted in extension.properties:
            values = _values(found, wanted.id) if found is not None else []
            row[wanted.id] = values[: wanted.limit] if wanted.limit else values
        rows[entity_id] = row
    return ExtensionResponse(meta=meta, rows=rows)


@dataclass(frozen=True, slots=True)
class Preview:
    id: str
    name: str
    type: str
    date: str | None
    description: str | None
    aliases: list[str]
    documents: int


def preview(session: Session, entity_id: str) -> Preview:
    facts = _facts(session, [entity_id]).get(entity_id)
    if facts is None:
        raise NotFound("entity", entity_id)
    entity = facts.entity
    return Preview(
        id=entity.id,
        name=entity.name,
        type=TYPE_NAMES.get(entity.type, entity.type),
        date=entity.date,
        description=entity.description,
        aliases=facts.aliases,
        documents=facts.documents,
    )
