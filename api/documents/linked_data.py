"""What the JSON-LD of a document, entity or event needs from the database.

The record itself comes from the same service as its JSON representation (so the two never
disagree); this module adds what only the linked-data view shows: the entities a document
names (as IRIs), the people its author and recipient names resolve to, and the sources it
cites.
"""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from api.db.models import CrossReference, Entity, EntityAlias, Mention
from api.documents import service as documents
from api.entities import service as entities
from api.entities.service import AUTHORITY_URIS, VISIBLE
from api.events import service as events
from api.formats.jsonld import writer as jsonld


def resolve_people(session: Session, names: list[str]) -> dict[str, jsonld.EntityRef]:
    """Author and recipient names matched to entities by an alias written the same way."""
    keys = {name.lower(): name for name in names}
    if not keys:
        return {}
    rows = session.execute(
        select(EntityAlias.key, Entity.id, Entity.type, Entity.name)
        .join(Entity, Entity.id == EntityAlias.entity_id)  # type: ignore[arg-type]
        .where(EntityAlias.key.in_(list(keys)))  # type: ignore[attr-defined]
    ).all()
    return {keys[r.key]: jsonld.EntityRef(id=r.id, type=r.type, name=r.name) for r in rows}


def document_jsonld(session: Session, *, document_id: str, base: str) -> dict[str, Any]:
    """A document as schema.org JSON-LD; ``base`` is the absolute base URL of the API."""
    record = documents.get_document(session, document_id=document_id, base=base)
    named = session.execute(
        select(Entity.id, Entity.type, Entity.name)
        .join(Mention, Mention.entity_id == Entity.id)  # type: ignore[arg-type]
        .where(Mention.document_id == document_id, Mention.status.in_(VISIBLE))  # type: ignore[attr-defined]
        .group_by(Entity.id, Entity.type, Entity.name)
        .order_by(Entity.id)
    ).all()
    cited = session.execute(
        select(
            CrossReference.relation,
            CrossReference.target_document_id,
            func.coalesce(CrossReference.target_label, CrossReference.target_value).label("label"),
        )
        .where(CrossReference.source_document_id == document_id)
        .order_by(CrossReference.id)
    ).all()
    context = jsonld.DocumentContext(
        base=base,
        mentions=[jsonld.EntityRef(id=r.id, type=r.type, name=r.name) for r in named],
        people=resolve_people(session, [*record.authors, *record.recipients]),
        citations=[
            jsonld.Citation(relation=r.relation, document=r.target_document_id, label=r.label)
            for r in cited
            if r.relation != "same_event"
        ],
    )
    return jsonld.document_node(record, context)


def entity_jsonld(session: Session, *, entity_id: str, base: str) -> dict[str, Any]:
    return jsonld.entity_node(entities.get_entity(session, entity_id=entity_id, base=base), base)


def event_jsonld(session: Session, *, event_id: str, base: str) -> dict[str, Any]:
    event = events.get_event(session, event_id=event_id, base=base)
    external = session.execute(select(Entity.external_ids).where(Entity.id == event_id)).scalar()
    same_as = [
        AUTHORITY_URIS[scheme].format(value)
        for scheme, value in sorted((external or {}).items())
        if scheme in AUTHORITY_URIS
    ]
    return jsonld.event_node(event, base, same_as=same_as)
