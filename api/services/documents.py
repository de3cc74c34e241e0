"""Documents: filtered, keyset-paginated lists and single records.

Queries select only the columns a response needs (the full text stays in the database
unless it is asked for) and build response models straight from rows, without loading
ORM objects: the read path is the hot path.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, literal, select, tuple_
from sqlmodel import Session

from api.models import Document, DocumentIdentifier, Footnote, PageMarker, Passage
from api.problems import NotFound, ProblemError
from api.schemas.document import (
    DocumentCounts,
    DocumentLinks,
    DocumentPublic,
    DocumentSummary,
)

SortKey = Literal["date", "-date", "title", "-title"]
UNDATED = dt.date(9999, 12, 31)  # undated documents sort after dated ones


@dataclass(frozen=True, slots=True)
class DocumentFilters:
    collection: str | None = None
    source_type: str | None = None
    genre: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    title: str | None = None


def _sort_column(sort: SortKey) -> ColumnElement[Any]:
    if sort.lstrip("-") == "date":
        return func.coalesce(Document.date_start, literal(UNDATED))
    return Document.title  # type: ignore[return-value]


def cursor_key(sort: SortKey, summary: DocumentSummary) -> list[Any]:
    if sort.lstrip("-") == "date":
        value = summary.date_start or UNDATED
        return [value.isoformat(), summary.id]
    return [summary.title, summary.id]


def _key_values(sort: SortKey, key: list[Any]) -> tuple[Any, str]:
    if sort.lstrip("-") == "date":
        try:
            return dt.date.fromisoformat(key[0]), key[1]
        except (TypeError, ValueError):
            raise ProblemError(400, "The cursor is not valid for this list.") from None
    return key[0], key[1]


def list_documents(
    session: Session,
    *,
    filters: DocumentFilters,
    sort: SortKey,
    after: list[Any] | None,
    limit: int,
    base: str,
) -> tuple[list[DocumentSummary], bool]:
    sort_col = _sort_column(sort)
    descending = sort.startswith("-")
    query = select(
        Document.id,
        Document.collection_id,
        Document.title,
        Document.authors,
        Document.date,
        Document.date_start,
        Document.date_end,
        Document.source_type,
        Document.genre,
        Document.language,
    )
    if filters.collection is not None:
        query = query.where(Document.collection_id == filters.collection)
    if filters.source_type is not None:
        query = query.where(Document.source_type == filters.source_type)
    if filters.genre is not None:
        query = query.where(Document.genre == filters.genre)
    if filters.date_from is not None:
        query = query.where(Document.date_end >= filters.date_from)  # type: ignore[operator]
    if filters.date_to is not None:
        query = query.where(Document.date_start <= filters.date_to)  # type: ignore[operator]
    if filters.title:
        query = query.where(Document.title.icontains(filters.title, autoescape=True))  # type: ignore[attr-defined]
    if after is not None:
        value, last_id = _key_values(sort, after)
        position = tuple_(sort_col, Document.id)
        bound = tuple_(literal(value), literal(last_id))
        query = query.where(position < bound if descending else position > bound)
    if descending:
        query = query.order_by(sort_col.desc(), Document.id.desc())  # type: ignore[attr-defined]
    else:
        query = query.order_by(sort_col, Document.id)
    rows = session.execute(query.limit(limit + 1)).all()
    items = [
        DocumentSummary(
            id=r.id,
            collection=r.collection_id,
            title=r.title,
            authors=r.authors,
            date=r.date,
            date_start=r.date_start,
            date_end=r.date_end,
            source_type=r.source_type,
            genre=r.genre,
            language=r.language,
            links={"self": f"{base}/v1/documents/{r.id}"},
        )
        for r in rows[:limit]
    ]
    return items, len(rows) > limit


def _count(table: Any) -> Any:
    return (
        select(func.count())
        .where(table.document_id == Document.id)
        .correlate(Document)
        .scalar_subquery()
    )


_DETAIL = select(
    Document.id,
    Document.collection_id,
    Document.title,
    Document.authors,
    Document.recipients,
    Document.date,
    Document.date_start,
    Document.date_end,
    Document.source_type,
    Document.genre,
    Document.language,
    Document.number,
    Document.provenance,
    Document.notes,
    Document.checksum,
    Document.revision,
    Document.created_at,
    Document.updated_at,
    func.length(Document.text).label("characters"),
    _count(Passage).label("passages"),
    _count(Footnote).label("footnotes"),
    _count(PageMarker).label("pages"),
)


def get_document(session: Session, *, document_id: str, base: str) -> DocumentPublic:
    row = session.execute(_DETAIL.where(Document.id == document_id)).first()
    if row is None:
        raise NotFound("document", document_id)
    identifiers = session.execute(
        select(DocumentIdentifier.scheme, DocumentIdentifier.value)
        .where(DocumentIdentifier.document_id == document_id)
        .order_by(DocumentIdentifier.scheme, DocumentIdentifier.value)
    ).all()
    self_url = f"{base}/v1/documents/{row.id}"
    return DocumentPublic(
        id=row.id,
        collection=row.collection_id,
        title=row.title,
        authors=row.authors,
        recipients=row.recipients,
        date=row.date,
        date_start=row.date_start,
        date_end=row.date_end,
        source_type=row.source_type,
        genre=row.genre,
        language=row.language,
        number=row.number,
        identifiers=[{"scheme": s, "value": v} for s, v in identifiers],
        provenance=row.provenance,
        notes=row.notes,
        checksum=row.checksum,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        counts=DocumentCounts(
            passages=row.passages,
            footnotes=row.footnotes,
            pages=row.pages,
            characters=row.characters,
        ),
        links=DocumentLinks(
            self=self_url,
            collection=f"{base}/v1/collections/{row.collection_id}",
            text=f"{self_url}/text",
            passages=f"{self_url}/passages",
            footnotes=f"{self_url}/footnotes",
            pages=f"{self_url}/pages",
        ),
    )


def require_document(session: Session, document_id: str) -> None:
    if session.execute(select(Document.id).where(Document.id == document_id)).first() is None:
        raise NotFound("document", document_id)
