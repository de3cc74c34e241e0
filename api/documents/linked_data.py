"""What the JSON-LD of a document needs from the database.

The record itself comes from the same service as its JSON representation (so the two never
disagree); this module adds what only the linked-data view shows: the entities a document
names (as IRIs), the people its author and recipient names resolve to, and the sources it
cites.
"""

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from api.db.models import CrossReference, Entity, EntityAlias, Mention
from api.db.models.mention import VISIBLE
from api.documents import service as documents
from api.formats.jsonld import writer as jsonld


def resolve_people(session: Session, names: list[str]) -> dict[str, jsonld.EntityRef]:
    """Author and recipient names matched to entities by an alias written the same way."""
    keys = {name.lower(): name for name in names}
    if not keys:
        return {}
    rows = session.execute(
        select(col(EntityAlias.key), col(Entity.id), col(Entity.type), col(Entity.name))
        .join(Entity, col(Entity.id) == col(EntityAlias.entity_id))
        .where(col(EntityAlias.key).in_(list(keys)))
    ).all()
    return {keys[r.key]: jsonld.EntityRef(id=r.id, type=r.type, name=r.name) for r in rows}


def document_jsonld(session: Session, *, document_id: str, base: str) -> dict[str, Any]:
    """A document as schema.org JSON-LD; ``base`` is the absolute base URL of the API."""
    record = documents.get_document(session, document_id=document_id, base=base)
    named = session.execute(
        select(col(Entity.id), col(Entity.type), col(Entity.name))
        .join(Mention, col(Mention.entity_id) == col(Entity.id))
        .where(col(Mention.document_id) == document_id, col(Mention.status).in_(VISIBLE))
        .group_by(col(Entity.id), col(Entity.type), col(Entity.name))
        .order_by(col(Entity.id))
    ).all()
    cited = session.execute(
        select(
            col(CrossReference.relation),
            col(CrossReference.target_document_id),
            func.coalesce(col(CrossReference.target_label), col(CrossReference.target_value)).label(
                "label"
            ),
        )
        .where(col(CrossReference.source_document_id) == document_id)
        .order_by(col(CrossReference.id))
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
