"""Collections and how many documents each holds."""

from typing import Any

from sqlalchemy import Row, func, select
from sqlmodel import Session, col

from api.collections.schemas import CollectionLinks, CollectionPublic
from api.db.models import Collection, Document
from api.errors import NotFound

_COUNT = (
    select(func.count())
    .where(col(Document.collection_id) == col(Collection.id))
    .correlate(Collection)
    .scalar_subquery()
)
_COLUMNS = (
    col(Collection.id),
    col(Collection.title),
    col(Collection.description),
    col(Collection.publisher),
    _COUNT.label("document_count"),
)


def _public(row: Row[Any], base: str) -> CollectionPublic:
    return CollectionPublic(
        id=row.id,
        title=row.title,
        description=row.description,
        publisher=row.publisher,
        document_count=row.document_count,
        links=CollectionLinks(
            self=f"{base}/v1/collections/{row.id}",
            documents=f"{base}/v1/documents?collection={row.id}",
        ),
    )


def list_collections(
    session: Session, *, after: str | None, limit: int, base: str
) -> tuple[list[CollectionPublic], str | None]:
    query = select(*_COLUMNS).order_by(col(Collection.id)).limit(limit + 1)
    if after is not None:
        query = query.where(col(Collection.id) > after)
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_public(r, base) for r in rows], (rows[-1].id if more else None)


def get_collection(session: Session, *, collection_id: str, base: str) -> CollectionPublic:
    row = session.execute(select(*_COLUMNS).where(col(Collection.id) == collection_id)).first()
    if row is None:
        raise NotFound("collection", collection_id)
    return _public(row, base)
