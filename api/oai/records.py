"""The queries OAI-PMH is answered from: item headers over the change log, sets, documents.

An item is a document that the change log knows; its header comes from the latest change
of it (``kind = 'documents'``): the datestamp is that change's commit time, and the item is
deleted when its row is gone (a permanent delete) or is a tombstone (``deleted_at``). Lists
run in the order of that latest change's ``seq`` — a keyset: a page is "the next n items
whose latest change comes after the last one served", so a document written during a
harvest moves to the end (with its new datestamp) and nothing is skipped or served twice.
Each page is one indexed query of at most ``limit + 1`` rows, whatever the corpus holds.

Sets are collections. A deleted document still belongs to its collection: a tombstone keeps
its row, and a permanently deleted one is found by the collection its deleting revision
recorded, so a selective harvest learns of deletions in its set too.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from api.db.models import (
    Change,
    Collection,
    Document,
    DocumentIdentifier,
    Entity,
    Mention,
    Revision,
)
from api.db.models.base import table_of
from api.oai.dates import Bound

PERMANENT_DELETE = "delete (permanent)"  # the operation of a hard delete's revision


@dataclass(frozen=True, slots=True)
class Header:
    """An item's header: the document id, its datestamp and set, and whether it is deleted."""

    seq: int
    document_id: str
    at: dt.datetime
    deleted: bool
    set_spec: str | None


@dataclass(frozen=True, slots=True)
class Selection:
    """What a ListIdentifiers or ListRecords selects: a set, and datestamp bounds."""

    set_spec: str | None = None
    since: Bound | None = None
    until: Bound | None = None


@dataclass(slots=True)
class DocumentMetadata:
    """What the oai_dc record of a document is written from, read a page at a time."""

    id: str
    collection_id: str
    title: str
    authors: list[str]
    date: str | None
    source_type: str
    genre: str | None
    language: str
    number: str | None
    provenance: dict[str, Any]
    notes: list[dict[str, Any]]
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    collection_title: str | None = None
    collection_publisher: str | None = None
    subjects: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SetRow:
    spec: str
    name: str
    description: str | None
    publisher: str | None


def _headers_query(selection: Selection, after: int = 0) -> Select[*tuple[Any, ...]]:
    latest = aliased(Change, name="latest")
    later = aliased(Change, name="later")
    newer = (
        select(literal(1))
        .where(
            col(later.kind) == "documents",
            col(later.resource_id) == col(latest.resource_id),
            col(later.seq) > col(latest.seq),
        )
        .exists()
    )
    query: Select[*tuple[Any, ...]] = (
        select(
            col(latest.seq),
            col(latest.resource_id),
            col(latest.at),
            col(Document.id).label("row_id"),
            col(Document.collection_id),
            col(Document.deleted_at),
        )
        .select_from(latest)
        .outerjoin(Document, col(Document.id) == col(latest.resource_id))
        .where(col(latest.kind) == "documents", col(latest.seq) > after, ~newer)
    )
    if selection.since is not None:
        query = query.where(col(latest.at) >= selection.since.start)
    if selection.until is not None:
        query = query.where(col(latest.at) < selection.until.end)
    if selection.set_spec is not None:
        query = query.where(
            or_(
                col(Document.collection_id) == selection.set_spec,
                and_(
                    col(Document.id).is_(None),
                    _permanently_deleted_from(col(latest.resource_id), selection.set_spec),
                ),
            )
        )
    return query.order_by(col(latest.seq))


def _permanently_deleted_from(resource_id: Any, set_spec: str) -> ColumnElement[bool]:
    revision = table_of(Revision)
    return exists().where(
        revision.c.kind == "documents",
        revision.c.resource_id == resource_id,
        revision.c.operation == PERMANENT_DELETE,
        revision.c.before["collection_id"].as_string() == set_spec,
    )


def headers(session: Session, selection: Selection, *, after: int, limit: int) -> list[Header]:
    """Up to ``limit`` headers whose latest change comes after change ``after``, in order."""
    rows = session.execute(_headers_query(selection, after).limit(limit)).all()
    return _with_sets(session, [_header(row) for row in rows])


def count(session: Session, selection: Selection) -> int:
    """How many items the selection holds now: ``completeListSize``."""
    inner = _headers_query(selection).order_by(None).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


def header(session: Session, document_id: str) -> Header | None:
    """The header of one document, or None when the change log does not know it."""
    latest = (
        select(col(Change.seq), col(Change.resource_id), col(Change.at))
        .where(
            col(Change.kind) == "documents",
            col(Change.resource_id) == document_id,
            col(Change.seq).is_not(None),
        )
        .order_by(col(Change.seq).desc())
        .limit(1)
    ).subquery()
    query = select(
        latest.c.seq,
        latest.c.resource_id,
        latest.c.at,
        col(Document.id).label("row_id"),
        col(Document.collection_id),
        col(Document.deleted_at),
    ).outerjoin(Document, col(Document.id) == latest.c.resource_id)
    row = session.execute(query).first()
    return _with_sets(session, [_header(row)])[0] if row is not None else None


def _header(row: Any) -> Header:
    deleted = row.row_id is None or row.deleted_at is not None
    return Header(row.seq, row.resource_id, row.at, deleted, row.collection_id)


def _with_sets(session: Session, found: list[Header]) -> list[Header]:
    """The headers, with the set of each permanently deleted document filled in from the
    revision that deleted it (its row, which named the collection, is gone)."""
    missing = [h.document_id for h in found if h.set_spec is None]
    if not missing:
        return found
    revision = table_of(Revision)
    rows = session.execute(
        select(revision.c.resource_id, revision.c.before["collection_id"].as_string())
        .where(
            revision.c.kind == "documents",
            revision.c.resource_id.in_(missing),
            revision.c.operation == PERMANENT_DELETE,
        )
        .order_by(revision.c.number)
    ).all()
    sets = {resource_id: spec for resource_id, spec in rows}  # the last deletion wins
    return [
        Header(h.seq, h.document_id, h.at, h.deleted, sets.get(h.document_id))
        if h.set_spec is None
        else h
        for h in found
    ]


def earliest(session: Session) -> dt.datetime | None:
    """The time of the first change to any document: no datestamp is earlier."""
    return session.execute(
        select(func.min(col(Change.at))).where(
            col(Change.kind) == "documents", col(Change.seq).is_not(None)
        )
    ).scalar()


def metadata(session: Session, ids: Sequence[str]) -> dict[str, DocumentMetadata]:
    """The oai_dc material of the live documents ``ids``: four queries for a page."""
    if not ids:
        return {}
    found = {
        row.id: DocumentMetadata(
            id=row.id,
            collection_id=row.collection_id,
            title=row.title,
            authors=list(row.authors or []),
            date=row.date,
            source_type=row.source_type,
            genre=row.genre,
            language=row.language,
            number=row.number,
            provenance=dict(row.provenance or {}),
            notes=list(row.notes or []),
        )
        for row in session.execute(
            select(
                col(Document.id),
                col(Document.collection_id),
                col(Document.title),
                col(Document.authors),
                col(Document.date),
                col(Document.source_type),
                col(Document.genre),
                col(Document.language),
                col(Document.number),
                col(Document.provenance),
                col(Document.notes),
            ).where(col(Document.id).in_(ids), col(Document.deleted_at).is_(None))
        )
    }
    if not found:
        return found
    identifiers = session.execute(
        select(
            col(DocumentIdentifier.document_id),
            col(DocumentIdentifier.scheme),
            col(DocumentIdentifier.value),
        )
        .where(col(DocumentIdentifier.document_id).in_(found))
        .order_by(col(DocumentIdentifier.document_id), col(DocumentIdentifier.id))
    )
    for document_id, scheme, value in identifiers:
        found[document_id].identifiers.append((scheme, value))
    collections = session.execute(
        select(col(Collection.id), col(Collection.title), col(Collection.publisher)).where(
            col(Collection.id).in_({m.collection_id for m in found.values()})
        )
    )
    by_id = {row.id: row for row in collections}
    for item in found.values():
        collection = by_id.get(item.collection_id)
        if collection is not None:
            item.collection_title = collection.title
            item.collection_publisher = collection.publisher
    subjects = session.execute(
        select(col(Mention.document_id), col(Entity.name))
        .join(Entity, col(Entity.id) == col(Mention.entity_id))
        .where(col(Mention.document_id).in_(found), col(Mention.status) == "curated")
        .distinct()
        .order_by(col(Mention.document_id), col(Entity.name))
    )
    for document_id, name in subjects:
        found[document_id].subjects.append(name)
    return found


def sets(session: Session, *, after: str | None, limit: int) -> list[SetRow]:
    """Up to ``limit`` collections after ``after``, by id."""
    query = select(
        col(Collection.id),
        col(Collection.title),
        col(Collection.description),
        col(Collection.publisher),
    ).order_by(col(Collection.id))
    if after is not None:
        query = query.where(col(Collection.id) > after)
    return [SetRow(*row) for row in session.execute(query.limit(limit))]


def set_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Collection)).scalar_one())


def set_exists(session: Session, set_spec: str) -> bool:
    return session.get(Collection, set_spec) is not None
