"""Writes of the entity registry: entities and events go through the registry loader, and a
change of aliases re-links the documents that mention the entity or may name it now.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select
from sqlmodel import Session, col

from api.curation import revisions
from api.curation.service.patches import invalid, merge_patch
from api.db.keys import Principal
from api.db.models import (
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    EventReport,
)
from api.entities.schemas import EntityPublic
from api.entities.service import get_entity
from api.errors import IngestError, NotFound, ProblemError
from api.events.schemas import EventPublic
from api.events.service import get_event
from api.linking.batch import documents_mentioning, documents_naming, link_batch
from api.linking.inference import infer_links
from api.records.record import EntityRecord, EventRecord
from api.records.registry import Registry
from api.records.snapshots import refresh_parts_fingerprint
from api.records.write import write_event_reports, write_registry


def entity_record(session: Session, entity_id: str) -> EntityRecord | EventRecord:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    aliases = [
        {"text": a.text, "case_sensitive": a.case_sensitive}
        for a in session.execute(
            select(EntityAlias)
            .where(col(EntityAlias.entity_id) == entity_id)
            .order_by(col(EntityAlias.id))
        ).scalars()
    ]
    common = {
        "id": entity.id,
        "name": entity.name,
        "aliases": aliases,
        "description": entity.description,
        "date": entity.date,
        "external_ids": entity.external_ids,
    }
    if entity.type != "event":
        return EntityRecord(type=entity.type, members=entity.members, **common)
    event = session.get(Event, entity_id)
    assert event is not None
    participants = [
        {"entity": p.entity_id, "role": p.role}
        for p in session.execute(
            select(EventParticipant)
            .where(col(EventParticipant.event_id) == entity_id)
            .order_by(col(EventParticipant.id))
        ).scalars()
    ]
    reports = [
        {"document": r.document_id, "passage": r.passage_ref}
        for r in session.execute(
            select(EventReport)
            .where(col(EventReport.event_id) == entity_id)
            .order_by(col(EventReport.id))
        ).scalars()
    ]
    return EventRecord(
        event_type=event.event_type,
        place=event.place_id,
        participants=participants,
        reported_in=reports,
        **common,
    )


def _write_registry_record(session: Session, record: EntityRecord | EventRecord) -> None:
    ids = {record.id}
    referenced = (
        [record.place] + [p.entity for p in record.participants]
        if isinstance(record, EventRecord)
        else list(record.members)
    )
    for other in filter(None, referenced):
        if other not in ids and session.get(Entity, other) is None:
            raise ProblemError(422, f"No entity {other!r}.")
    registry = (
        Registry(events=[record])
        if isinstance(record, EventRecord)
        else Registry(entities=[record])
    )
    for alias in record.aliases:
        owner = session.execute(
            select(col(EntityAlias.entity_id)).where(col(EntityAlias.key) == alias.key)
        ).scalar()
        if owner is not None and owner != record.id:
            raise ProblemError(409, f"The alias {alias.text!r} already belongs to {owner!r}.")
    mentioning = documents_mentioning(session, record.id)
    aliases = {(alias.text, alias.case_sensitive) for alias in record.aliases}
    stored = {
        (row.text, bool(row.case_sensitive))
        for row in session.execute(
            select(col(EntityAlias.text), col(EntityAlias.case_sensitive)).where(
                col(EntityAlias.entity_id) == record.id
            )
        )
    }
    try:
        write_registry(session, registry)
        if isinstance(record, EventRecord):
            write_event_reports(session, registry)
    except IngestError as exc:
        raise invalid(exc) from None
    if aliases == stored:
        return  # a description, a name, a date: what the linker finds is the same
    named = documents_naming(session, [text for text, _case in aliases])
    # re-link where the aliases were found and where they may be now
    link_batch(session, None if named is None else sorted(named | mentioning))


@dataclass(frozen=True)
class _Kind:
    """What differs between writing an entity and writing an event."""

    noun: str  # in messages and 404s
    kind: str  # the revisions' kind, as in the URL
    record: type[EntityRecord] | type[EventRecord]
    shown: Callable[[Session, str, str], BaseModel]  # the representation an ETag is of


_ENTITY = _Kind(
    "entity",
    "entities",
    EntityRecord,
    lambda session, key, base: get_entity(session, entity_id=key, base=base),
)
_EVENT = _Kind(
    "event",
    "events",
    EventRecord,
    lambda session, key, base: get_event(session, event_id=key, base=base),
)


def _as_stored(session: Session, entity_id: str, base: str) -> BaseModel:
    """The entity or event as it is stored, whichever route the edit came by: a client's
    If-Match is checked before a mismatch of kind is a 409."""
    stored = session.get(Entity, entity_id)
    what = _EVENT if stored is not None and stored.type == "event" else _ENTITY
    return what.shown(session, entity_id, base)


def _save(
    session: Session,
    principal: Principal,
    entity_id: str,
    what: _Kind,
    *,
    create: dict[str, Any] | None,
    patch: dict[str, Any] | None,
    if_match: str | None,
    operation: str | None,
    base: str,
) -> None:
    if create is not None:
        if session.get(Entity, entity_id) is not None:
            raise ProblemError(409, f"An entity or event with id {entity_id!r} already exists.")
        before = None
        data = create
    else:
        revisions.guard(
            session,
            Entity,
            entity_id,
            what=what.noun,
            if_match=if_match,
            current=lambda: _as_stored(session, entity_id, base),
        )
        current = entity_record(session, entity_id)
        if isinstance(current, EventRecord) != (what is _EVENT):
            raise ProblemError(409, f"{entity_id!r} is {'not ' if what is _EVENT else ''}an event.")
        before = current.model_dump(mode="json")
        data = merge_patch(before, patch or {})
    try:
        record = what.record(**data)
    except ValidationError as exc:
        raise invalid(exc) from None
    if before is not None and record.model_dump(mode="json") == before:
        return  # a no-op: no write, no revision, the same ETag
    _write_registry_record(session, record)
    revisions.record(
        session,
        kind=what.kind,
        resource_id=entity_id,
        operation=operation or ("create" if create else "update"),
        principal=principal,
        before=before,
        after=record.model_dump(mode="json"),
    )


def save_entity(
    session: Session,
    principal: Principal,
    entity_id: str,
    *,
    create: dict[str, Any] | None = None,
    patch: dict[str, Any] | None = None,
    if_match: str | None = None,
    operation: str | None = None,
    base: str,
) -> EntityPublic:
    """Create (``create``) or edit (``patch``, a JSON merge patch) a person, place,
    organization, group or term; ``operation`` names the revision when it is not a plain
    create or update (a revert)."""
    _save(
        session,
        principal,
        entity_id,
        _ENTITY,
        create=create,
        patch=patch,
        if_match=if_match,
        operation=operation,
        base=base,
    )
    return get_entity(session, entity_id=entity_id, base=base)


def _event_fields(fields: dict[str, Any] | None) -> dict[str, Any] | None:
    """An event's fields as the API names them, named as the record does: the API's
    ``type`` is the record's ``event_type``. (A revert's state is a record already.)"""
    if fields is None or "type" not in fields:
        return fields
    renamed = {k: v for k, v in fields.items() if k != "type"}
    renamed["event_type"] = fields["type"]
    return renamed


def save_event(
    session: Session,
    principal: Principal,
    event_id: str,
    *,
    create: dict[str, Any] | None = None,
    patch: dict[str, Any] | None = None,
    if_match: str | None = None,
    operation: str | None = None,
    base: str,
) -> EventPublic:
    """Create or edit an event, as ``save_entity`` does an entity."""
    _save(
        session,
        principal,
        event_id,
        _EVENT,
        create=_event_fields(create),
        patch=_event_fields(patch),
        if_match=if_match,
        operation=operation,
        base=base,
    )
    return get_event(session, event_id=event_id, base=base)


def _delete(
    session: Session,
    principal: Principal,
    entity_id: str,
    what: _Kind,
    *,
    if_match: str | None,
    base: str,
) -> None:
    revisions.guard(
        session,
        Entity,
        entity_id,
        what=what.noun,
        if_match=if_match,
        current=lambda: what.shown(session, entity_id, base),
    )
    current = entity_record(session, entity_id)
    mentioning = sorted(documents_mentioning(session, entity_id))
    session.execute(delete(Entity).where(col(Entity.id) == entity_id))
    session.flush()
    infer_links(session, mentioning, changed=mentioning)  # its mentions went with it
    refresh_parts_fingerprint(session, mentioning)  # curated ones too
    revisions.record(
        session,
        kind=what.kind,
        resource_id=entity_id,
        operation="delete",
        principal=principal,
        before=current.model_dump(mode="json"),
        after=None,
    )


def delete_entity(
    session: Session, principal: Principal, entity_id: str, *, if_match: str | None, base: str
) -> None:
    """Remove an entity with its aliases and mentions; the documents that named it are
    re-linked."""
    _delete(session, principal, entity_id, _ENTITY, if_match=if_match, base=base)


def delete_event(
    session: Session, principal: Principal, event_id: str, *, if_match: str | None, base: str
) -> None:
    """Remove an event, as ``delete_entity`` does an entity."""
    _delete(session, principal, event_id, _EVENT, if_match=if_match, base=base)
