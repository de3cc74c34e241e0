"""Curating what sources name and cite: mentions, cross-references, entities and events.

Mentions and cross-references are edited in place (their ids stay stable for clients);
entities and events go through the registry loader. Each write re-links only what it
touched: a mention's document, an entity's documents (those that mention it or may name
one of its aliases), a reference's source.
"""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlmodel import Session

from api.crossrefs.service import get_cross_reference
from api.curation import revisions
from api.curation.schemas import CrossReferenceCreate, MentionCreate
from api.curation.service import _invalid, merge_patch
from api.db.keys import Principal
from api.db.models import (
    CrossReference,
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
from api.entities.service import get_entity
from api.errors import IngestError, NotFound, ProblemError
from api.events.service import get_event
from api.linking.batch import documents_mentioning, documents_naming, link_batch
from api.linking.inference import infer_links
from api.linking.references import resolve_references
from api.mentions.service import get_mention
from api.records.record import EntityRecord, EventRecord, TargetRecord, normalize_identifier
from api.records.registry import Registry
from api.records.snapshots import refresh_parts_fingerprint
from api.records.write import write_event_reports, write_registry


def _row(model: Any) -> dict[str, Any]:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in model.model_dump().items()
    }


# Mentions -----------------------------------------------------------------------------------


def create_mention(
    session: Session, principal: Principal, document_id: str, body: MentionCreate, *, base: str
) -> Any:
    require_document(session, document_id)
    if (body.passage is None) == (body.footnote is None):
        raise ProblemError(422, "Give either a passage ref or a footnote ref.")
    if body.passage is not None:
        holder = session.execute(
            select(Passage.id, Passage.text).where(
                Passage.document_id == document_id, Passage.ref == body.passage
            )
        ).first()
        what = f"passage {body.passage!r}"
    else:
        holder = session.execute(
            select(Footnote.id, Footnote.text).where(
                Footnote.document_id == document_id, Footnote.ref == body.footnote
            )
        ).first()
        what = f"footnote {body.footnote!r}"
    if holder is None:
        raise ProblemError(422, f"The document has no {what}.")
    if not 0 <= body.start < body.end <= len(holder.text):
        raise ProblemError(422, f"Offsets {body.start}-{body.end} are outside {what}.")
    found = holder.text[body.start : body.end]
    if found != body.surface:
        raise ProblemError(
            422, f"Offsets {body.start}-{body.end} of {what} hold {found!r}, not {body.surface!r}."
        )
    if session.get(Entity, body.entity) is None:
        raise ProblemError(422, f"No entity {body.entity!r}.")
    clash = session.execute(
        select(Mention.id).where(
            Mention.document_id == document_id,
            Mention.passage_id == (holder.id if body.passage else None),
            Mention.footnote_id == (holder.id if body.footnote else None),
            Mention.start == body.start,
            Mention.end == body.end,
            Mention.entity_id == body.entity,
            Mention.status != "auto",
        )
    ).first()
    if clash is not None:
        raise ProblemError(409, f"That mention exists already (id {clash.id}).")
    # An automatic match of the same span gives way to the curator's mention.
    session.execute(
        delete(Mention).where(
            Mention.document_id == document_id,
            Mention.passage_id == (holder.id if body.passage else None),
            Mention.footnote_id == (holder.id if body.footnote else None),
            Mention.start < body.end,
            Mention.end > body.start,
            Mention.status == "auto",
        )
    )
    mention = Mention(
        document_id=document_id,
        passage_id=holder.id if body.passage else None,
        footnote_id=holder.id if body.footnote else None,
        entity_id=body.entity,
        start=body.start,
        end=body.end,
        surface=body.surface,
        status="curated",
    )
    session.add(mention)
    session.flush()
    infer_links(session, [document_id])
    refresh_parts_fingerprint(session, [document_id])
    revisions.record(
        session,
        kind="mentions",
        resource_id=str(mention.id),
        operation="create",
        principal=principal,
        before=None,
        after=_row(mention),
    )
    return get_mention(session, mention_id=mention.id, base=base)  # type: ignore[arg-type]


def update_mention(
    session: Session,
    principal: Principal,
    mention_id: int,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
) -> Any:
    revisions.lock(session, Mention, mention_id, what="mention")
    revisions.check_if_match(if_match, get_mention(session, mention_id=mention_id, base=base))
    mention = session.get(Mention, mention_id)
    assert mention is not None
    before = _row(mention)
    if patch.get("entity") is not None:
        if session.get(Entity, patch["entity"]) is None:
            raise ProblemError(422, f"No entity {patch['entity']!r}.")
        mention.entity_id = patch["entity"]
        mention.status = "curated"
    if patch.get("status") is not None:
        mention.status = patch["status"]
    session.flush()
    infer_links(session, [mention.document_id])
    refresh_parts_fingerprint(session, [mention.document_id])
    revisions.record(
        session,
        kind="mentions",
        resource_id=str(mention_id),
        operation="update",
        principal=principal,
        before=before,
        after=_row(mention),
    )
    return get_mention(session, mention_id=mention_id, base=base)


def delete_mention(
    session: Session, principal: Principal, mention_id: int, *, if_match: str | None, base: str
) -> None:
    """Delete a curated mention; an automatic one is rejected instead, so it stays gone."""
    revisions.lock(session, Mention, mention_id, what="mention")
    revisions.check_if_match(if_match, get_mention(session, mention_id=mention_id, base=base))
    mention = session.get(Mention, mention_id)
    assert mention is not None
    before = _row(mention)
    if mention.status == "auto":
        mention.status = "rejected"
        after: dict[str, Any] | None = _row(mention)
    else:
        session.delete(mention)
        after = None
    session.flush()
    infer_links(session, [before["document_id"]])
    refresh_parts_fingerprint(session, [before["document_id"]])
    revisions.record(
        session,
        kind="mentions",
        resource_id=str(mention_id),
        operation="delete",
        principal=principal,
        before=before,
        after=after,
    )


# Cross-references ---------------------------------------------------------------------------


def _anchor(session: Session, source: dict[str, Any]) -> dict[str, Any]:
    document_id = source.get("document")
    if not isinstance(document_id, str):
        raise ProblemError(422, "source.document (a document id) is required.")
    require_document(session, document_id)
    values: dict[str, Any] = {
        "source_document_id": document_id,
        "source_passage_id": None,
        "source_footnote_id": None,
        "source_start": None,
        "source_end": None,
    }
    text: str | None = None
    if source.get("passage") is not None:
        row = session.execute(
            select(Passage.id, Passage.text).where(
                Passage.document_id == document_id, Passage.ref == str(source["passage"])
            )
        ).first()
        if row is None:
            raise ProblemError(422, f"No passage {source['passage']!r} in {document_id!r}.")
        values["source_passage_id"], text = row.id, row.text
    elif source.get("footnote") is not None:
        row = session.execute(
            select(Footnote.id, Footnote.text).where(
                Footnote.document_id == document_id, Footnote.ref == str(source["footnote"])
            )
        ).first()
        if row is None:
            raise ProblemError(422, f"No footnote {source['footnote']!r} in {document_id!r}.")
        values["source_footnote_id"], text = row.id, row.text
    if source.get("start") is not None or source.get("end") is not None:
        start, end = source.get("start"), source.get("end")
        if (
            text is None
            or not isinstance(start, int)
            or not isinstance(end, int)
            or not (0 <= start <= end <= len(text))
        ):
            raise ProblemError(422, "source.start/end must be offsets inside the passage or note.")
        values["source_start"], values["source_end"] = start, end
    return values


def _target(session: Session, target: dict[str, Any], source_document: str) -> dict[str, Any]:
    try:
        found = TargetRecord.model_validate(target)
    except ValidationError as exc:
        raise _invalid(exc) from None
    if found.document is not None:
        document_id = found.document
        if document_id == source_document and not (found.passage or found.footnote):
            raise ProblemError(422, "A cross-reference cannot point at its own document.")
        if session.get(Document, document_id) is None:
            raise ProblemError(422, f"No document {document_id!r}.")
        return {
            "target_document_id": document_id,
            "target_passage_ref": found.passage,
            "target_footnote_ref": found.footnote,
            "target_scheme": "document",
            "target_value": document_id,
            "target_key": normalize_identifier(document_id),
            "target_label": found.label,
        }
    assert found.scheme is not None and found.value is not None  # TargetRecord checks it
    return {
        "target_document_id": None,
        "target_passage_ref": None,
        "target_footnote_ref": None,
        "target_scheme": found.scheme,
        "target_value": found.value,
        "target_key": normalize_identifier(found.value)[:500],
        "target_label": found.label,
    }


def _lock_source(session: Session, xref_id: int | None, document_id: Any = None) -> None:
    """Lock the document a reference stands in, then the reference: the order a rewrite of
    that document takes them in, so that curating a reference needs no turn in the write
    lane (api.db.engine.begin_write) and still cannot deadlock with one."""
    if xref_id is not None:
        found = session.get(CrossReference, xref_id)
        if found is None:
            raise NotFound("cross-reference", str(xref_id))
        document_id = found.source_document_id
    if isinstance(document_id, str):
        revisions.lock(session, Document, document_id, what="document")
    if xref_id is not None:
        revisions.lock(session, CrossReference, xref_id, what="cross-reference")
        session.expire_all()  # read again what the locks now hold still


def create_cross_reference(
    session: Session, principal: Principal, body: CrossReferenceCreate, *, base: str
) -> Any:
    _lock_source(session, None, body.source.get("document"))
    values = _anchor(session, body.source)
    values |= _target(session, body.target, values["source_document_id"])
    xref = CrossReference(relation=body.relation, origin="curated", **values)
    session.add(xref)
    session.flush()
    resolve_references(session, [xref.source_document_id], incoming=False)  # target loaded?
    refresh_parts_fingerprint(session, [xref.source_document_id])
    revisions.record(
        session,
        kind="cross-references",
        resource_id=str(xref.id),
        operation="create",
        principal=principal,
        before=None,
        after=_row(xref),
    )
    return get_cross_reference(session, xref_id=xref.id, base=base)  # type: ignore[arg-type]


def update_cross_reference(
    session: Session,
    principal: Principal,
    xref_id: int,
    patch: dict[str, Any],
    *,
    if_match: str | None,
    base: str,
) -> Any:
    _lock_source(session, xref_id)
    revisions.check_if_match(if_match, get_cross_reference(session, xref_id=xref_id, base=base))
    xref = session.get(CrossReference, xref_id)
    assert xref is not None
    if xref.origin != "curated":
        raise ProblemError(
            409, f"Only curated cross-references can be edited; this one is {xref.origin}."
        )
    before = _row(xref)
    if patch.get("relation") is not None:
        xref.relation = patch["relation"]
    if patch.get("target") is not None:
        for key, value in _target(session, patch["target"], xref.source_document_id).items():
            setattr(xref, key, value)
    session.flush()
    resolve_references(session, [xref.source_document_id], incoming=False)
    refresh_parts_fingerprint(session, [xref.source_document_id])
    revisions.record(
        session,
        kind="cross-references",
        resource_id=str(xref_id),
        operation="update",
        principal=principal,
        before=before,
        after=_row(xref),
    )
    return get_cross_reference(session, xref_id=xref_id, base=base)


def delete_cross_reference(
    session: Session, principal: Principal, xref_id: int, *, if_match: str | None, base: str
) -> None:
    _lock_source(session, xref_id)
    revisions.check_if_match(if_match, get_cross_reference(session, xref_id=xref_id, base=base))
    xref = session.get(CrossReference, xref_id)
    assert xref is not None
    if xref.origin == "detected":
        raise ProblemError(409, "A reference detected in the text goes away with the text.")
    before = _row(xref)
    session.delete(xref)
    session.flush()
    refresh_parts_fingerprint(session, [before["source_document_id"]])
    revisions.record(
        session,
        kind="cross-references",
        resource_id=str(xref_id),
        operation="delete",
        principal=principal,
        before=before,
        after=None,
    )


# Entities and events -----------------------------------------------------------------------


def entity_record(session: Session, entity_id: str) -> EntityRecord | EventRecord:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    aliases = [
        {"text": a.text, "case_sensitive": a.case_sensitive}
        for a in session.execute(
            select(EntityAlias).where(EntityAlias.entity_id == entity_id).order_by(EntityAlias.id)
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
        return EntityRecord(type=entity.type, members=entity.members, **common)  # type: ignore[arg-type]
    event = session.get(Event, entity_id)
    assert event is not None
    participants = [
        {"entity": p.entity_id, "role": p.role}
        for p in session.execute(
            select(EventParticipant)
            .where(EventParticipant.event_id == entity_id)
            .order_by(EventParticipant.id)
        ).scalars()
    ]
    reports = [
        {"document": r.document_id, "passage": r.passage_ref}
        for r in session.execute(
            select(EventReport).where(EventReport.event_id == entity_id).order_by(EventReport.id)
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
            select(EntityAlias.entity_id).where(EntityAlias.key == alias.key)
        ).scalar()
        if owner is not None and owner != record.id:
            raise ProblemError(409, f"The alias {alias.text!r} already belongs to {owner!r}.")
    mentioning = documents_mentioning(session, record.id)
    aliases = {(alias.text, alias.case_sensitive) for alias in record.aliases}
    stored = {
        (row.text, bool(row.case_sensitive))
        for row in session.execute(
            select(EntityAlias.text, EntityAlias.case_sensitive).where(
                EntityAlias.entity_id == record.id
            )
        )
    }
    try:
        write_registry(session, registry)
        if isinstance(record, EventRecord):
            write_event_reports(session, registry)
    except IngestError as exc:
        raise _invalid(exc) from None
    if aliases == stored:
        return  # a description, a name, a date: what the linker finds is the same
    named = documents_naming(session, [text for text, _case in aliases])
    # re-link where the aliases were found and where they may be now
    link_batch(session, None if named is None else sorted(named | mentioning))


def save_entity(
    session: Session,
    principal: Principal,
    entity_id: str,
    *,
    create: dict[str, Any] | None = None,
    patch: dict[str, Any] | None = None,
    event: bool,
    if_match: str | None = None,
    operation: str | None = None,
    base: str,
) -> Any:
    """Create (``create``) or edit (``patch``, a JSON merge patch) an entity or an event;
    ``operation`` names the revision when it is not a plain create or update (a revert)."""
    model = EventRecord if event else EntityRecord
    if create is not None:
        if session.get(Entity, entity_id) is not None:
            raise ProblemError(409, f"An entity or event with id {entity_id!r} already exists.")
        before = None
        data = create
    else:
        revisions.lock(session, Entity, entity_id, what="event" if event else "entity")
        current = entity_record(session, entity_id)
        shown = (
            get_event(session, event_id=entity_id, base=base)
            if isinstance(current, EventRecord)
            else get_entity(session, entity_id=entity_id, base=base)
        )
        revisions.check_if_match(if_match, shown)  # 428 and 412 first, as on every write
        if isinstance(current, EventRecord) != event:
            raise ProblemError(409, f"{entity_id!r} is {'not ' if event else ''}an event.")
        before = current.model_dump(mode="json")
        data = merge_patch(before, patch or {})
    try:
        record = model(**data)
    except ValidationError as exc:
        raise _invalid(exc) from None
    _write_registry_record(session, record)
    kind = "events" if event else "entities"
    revisions.record(
        session,
        kind=kind,
        resource_id=entity_id,
        operation=operation or ("create" if create else "update"),
        principal=principal,
        before=before,
        after=record.model_dump(mode="json"),
    )
    return (
        get_event(session, event_id=entity_id, base=base)
        if event
        else get_entity(session, entity_id=entity_id, base=base)
    )


def delete_entity(
    session: Session,
    principal: Principal,
    entity_id: str,
    *,
    event: bool,
    if_match: str | None,
    base: str,
) -> None:
    revisions.lock(session, Entity, entity_id, what="event" if event else "entity")
    current = entity_record(session, entity_id)
    shown = (
        get_event(session, event_id=entity_id, base=base)
        if event
        else get_entity(session, entity_id=entity_id, base=base)
    )
    revisions.check_if_match(if_match, shown)
    mentioning = sorted(documents_mentioning(session, entity_id))
    session.execute(delete(Entity).where(Entity.id == entity_id))  # type: ignore[arg-type]
    session.flush()
    infer_links(session, mentioning, changed=mentioning)  # its mentions went with it
    refresh_parts_fingerprint(session, mentioning)  # curated ones too
    revisions.record(
        session,
        kind="events" if event else "entities",
        resource_id=entity_id,
        operation="delete",
        principal=principal,
        before=current.model_dump(mode="json"),
        after=None,
    )
