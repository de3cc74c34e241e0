"""One document, entity or event as lines of the Quellen bundle: what a mirror fetches.

The feed says *that* a resource changed; this says losslessly *what it is now*, in the
format ``quellen export`` writes and ``quellen import`` reads (api/formats/jsonl/): the
``bundle`` header line, then for a document its ``collection`` line and its ``document``
line, for an entity its ``entity`` line, for an event its ``event`` line — each exactly
the line the export of the whole database holds for it (tests/api/routes/test_changes.py
compares them). Served by ``GET /v1/documents/{id}``, ``/v1/entities/{id}`` and
``/v1/events/{id}`` to ``Accept: application/x-ndjson`` or ``?format=ndjson``.

The export reads entities and events all at once (api/records/read.py); one of them is
read here with the same queries, in the same order, narrowed to its id. No HTTP here.
"""

from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import Document, Entity, EntityAlias, Event, EventParticipant, EventReport
from api.errors import Gone, NotFound
from api.formats.jsonl.writer import FORMAT, VERSION, line
from api.records.read import collection_records, document_records
from api.records.record import (
    AliasRecord,
    EntityRecord,
    EventRecord,
    ParticipantRecord,
    ReportRecord,
)

HEADER = line("bundle", {"format": FORMAT, "version": VERSION})


def document_lines(session: Session, document_id: str) -> str:
    """The header, the document's collection and the document; 404 unknown, 410 deleted."""
    row = session.execute(
        select(col(Document.collection_id), col(Document.deleted_at)).where(
            col(Document.id) == document_id
        )
    ).first()
    if row is None:
        raise NotFound("document", document_id)
    if row.deleted_at is not None:
        raise Gone("document", document_id)
    (record,) = document_records(session, [document_id])
    collections = collection_records(session, row.collection_id)
    return "".join(
        [
            HEADER,
            *(line("collection", collection) for collection in collections),
            line("document", record),
        ]
    )


def entity_lines(session: Session, entity_id: str) -> str:
    """The header and the entity's line (an event's line, when the entity is an event)."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    if entity.type == "event":
        return HEADER + line("event", _event_record(session, entity, "entity"))
    return HEADER + line("entity", _entity_record(session, entity))


def event_lines(session: Session, event_id: str) -> str:
    """The header and the event's line; 404 for an entity that is not an event."""
    entity = session.get(Entity, event_id)
    if entity is None or entity.type != "event":
        raise NotFound("event", event_id)
    return HEADER + line("event", _event_record(session, entity, "event"))


def _aliases(session: Session, entity_id: str) -> list[AliasRecord]:
    return [
        AliasRecord(text=row.text, case_sensitive=row.case_sensitive)
        for row in session.execute(
            select(col(EntityAlias.text), col(EntityAlias.case_sensitive))
            .where(col(EntityAlias.entity_id) == entity_id)
            .order_by(col(EntityAlias.id))
        )
    ]


def _entity_record(session: Session, entity: Entity) -> EntityRecord:
    return EntityRecord(
        id=entity.id,
        type=entity.type,
        name=entity.name,
        aliases=_aliases(session, entity.id),
        description=entity.description,
        date=entity.date,
        external_ids=dict(entity.external_ids),
        members=list(entity.members),
    )


def _event_record(session: Session, entity: Entity, what: str) -> EventRecord:
    event = session.get(Event, entity.id)
    if event is None:  # an event entity without its event row: the export leaves it out too
        raise NotFound(what, entity.id)
    participants = [
        ParticipantRecord(entity=p.entity_id, role=p.role)
        for p in session.scalars(
            select(EventParticipant)
            .where(col(EventParticipant.event_id) == entity.id)
            .order_by(col(EventParticipant.id))
        )
    ]
    reports = session.scalars(select(EventReport).where(col(EventReport.event_id) == entity.id))
    return EventRecord(
        id=entity.id,
        name=entity.name,
        event_type=event.event_type,
        date=entity.date,
        place=event.place_id,
        aliases=_aliases(session, entity.id),
        participants=participants,
        description=entity.description,
        external_ids=dict(entity.external_ids),
        reported_in=[
            ReportRecord(document=r.document_id, passage=r.passage_ref)
            for r in sorted(reports, key=lambda r: (r.document_id, r.passage_ref or ""))
        ],
    )
