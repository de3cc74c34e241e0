"""Collections and how many documents each holds."""

from sqlalchemy import func, select
from sqlmodel import Session

from api.collections.schemas import CollectionLinks, CollectionPublic
from api.db.models import Collection, Document
from api.errors import NotFound

_COUNT = (
    select(func.count())
    .where(Document.collection_id == Collection.id)
    .correlate(Collection)
    .scalar_subquery()
)
_COLUMNS = (
    Collection.id,
    Collection.title,
    Collection.description,
    Collection.publisher,
    _COUNT.label("document_count"),
)


def _public(row, base: str) -> CollectionPublic:  # type: ignore[no-untyped-def]
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
    query = select(*_COLUMNS).order_by(Collection.id).limit(limit + 1)
    if after is not None:
        query = query.where(Collection.id > after)
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_public(r, base) for r in rows], (rows[-1].id if more else None)


def get_collection(session: Session, *, collection_id: str, base: str) -> CollectionPublic:
    row = session.execute(select(*_COLUMNS).where(Collection.id == collection_id)).first()
    if row is None:
        raise NotFound("collection", collection_id)
    return _public(row, base)
