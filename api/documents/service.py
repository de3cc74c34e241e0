"""Documents: filtered, keyset-paginated lists and single records.

Queries select only the columns a response needs (the full text stays in the database
unless it is asked for) and build response models straight from rows, without loading
ORM objects: the read path is the hot path.
"""

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    Cast,
    Connection,
    ScalarSelect,
    SQLColumnExpression,
    Text,
    bindparam,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Session, col

from api.db.models import Document, DocumentIdentifier, Footnote, PageMarker, Passage
from api.db.models.document import is_live
from api.documents.schemas import DocumentPublic, DocumentSummary
from api.errors import Gone, NotFound, ProblemError

SortKey = Literal["date", "-date", "title", "-title"]
UNDATED = dt.date(9999, 12, 31)  # undated documents sort after dated ones
# ... and, for -date, before every date, so that descending puts them last as well
UNDATED_DESCENDING = dt.date(1, 1, 1)


@dataclass(frozen=True, slots=True)
class DocumentFilters:
    collection: str | None = None
    source_type: str | None = None
    genre: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    title: str | None = None


def _undated(sort: SortKey) -> dt.date:
    """The date an undated document sorts by: after every date in either direction."""
    return UNDATED_DESCENDING if sort.startswith("-") else UNDATED


def _sort_column(sort: SortKey) -> SQLColumnExpression[Any]:
    if sort.lstrip("-") == "date":
        return func.coalesce(col(Document.date_start), literal(_undated(sort)))
    return col(Document.title)


def cursor_key(sort: SortKey, summary: DocumentSummary) -> list[Any]:
    if sort.lstrip("-") == "date":
        value = summary.date_start or _undated(sort)
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
        col(Document.id),
        col(Document.collection_id),
        col(Document.title),
        col(Document.authors),
        col(Document.date),
        col(Document.date_start),
        col(Document.date_end),
        col(Document.source_type),
        col(Document.genre),
        col(Document.language),
    ).where(is_live())
    if filters.collection is not None:
        query = query.where(col(Document.collection_id) == filters.collection)
    if filters.source_type is not None:
        query = query.where(col(Document.source_type) == filters.source_type)
    if filters.genre is not None:
        query = query.where(col(Document.genre) == filters.genre)
    if filters.date_from is not None:
        query = query.where(col(Document.date_end) >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(col(Document.date_start) <= filters.date_to)
    if filters.title:
        query = query.where(col(Document.title).icontains(filters.title, autoescape=True))
    if after is not None:
        value, last_id = _key_values(sort, after)
        position = tuple_(sort_col, col(Document.id))
        bound = tuple_(literal(value), literal(last_id))
        query = query.where(position < bound if descending else position > bound)
    if descending:
        query = query.order_by(sort_col.desc(), col(Document.id).desc())
    else:
        query = query.order_by(sort_col, col(Document.id))
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


def _count(document_id: SQLColumnExpression[str]) -> ScalarSelect[int]:
    """The number of rows whose ``document_id`` column is the document's."""
    counted: ScalarSelect[int] = (
        select(func.count())
        .where(document_id == col(Document.id))
        .correlate(Document)
        .scalar_subquery()
    )
    return counted


def _json_text(column: SQLColumnExpression[Any]) -> Cast[str]:
    """A JSON column read as text on every database, for get_document to decode once.

    The identifiers are joined, so every identifier row repeats the document's columns:
    SQLAlchemy's JSON type would decode each value again for every row. As text, the value
    is also the same whether SQLAlchemy or the driver fetched it (psycopg decodes ``json``).
    """
    return cast(column, Text)


# The fields of DocumentPublic read straight from the document row, by their API names.
_FIELDS: dict[str, SQLColumnExpression[Any]] = {
    "id": col(Document.id),
    "collection": col(Document.collection_id),
    "title": col(Document.title),
    "authors": _json_text(col(Document.authors)),
    "recipients": _json_text(col(Document.recipients)),
    "date": col(Document.date),
    "date_start": col(Document.date_start),
    "date_end": col(Document.date_end),
    "source_type": col(Document.source_type),
    "genre": col(Document.genre),
    "language": col(Document.language),
    "number": col(Document.number),
    "provenance": _json_text(col(Document.provenance)),
    "notes": _json_text(col(Document.notes)),
    "checksum": col(Document.checksum),
    "revision": col(Document.revision),
    "created_at": col(Document.created_at),
    "updated_at": col(Document.updated_at),
    "deleted_at": col(Document.deleted_at),  # not served: a set value answers 410 Gone
}
_COUNTS: dict[str, SQLColumnExpression[int]] = {
    "passages": _count(col(Passage.document_id)),
    "footnotes": _count(col(Footnote.document_id)),
    "pages": _count(col(PageMarker.document_id)),
    "characters": func.length(col(Document.text)),
}
# One statement for the whole record, built once: the fields, the counts, and one row per
# identifier (left join, in a stable order), so a read is one round trip. The id is a bound
# parameter, so the statement and its cache key are made once per process rather than per
# request, and SQLAlchemy finds the compiled SQL in its cache without walking the statement.
_DETAIL = (
    select(
        *_FIELDS.values(),
        *_COUNTS.values(),
        col(DocumentIdentifier.scheme),
        col(DocumentIdentifier.value),
    )
    .outerjoin(DocumentIdentifier, col(DocumentIdentifier.document_id) == col(Document.id))
    .where(col(Document.id) == bindparam("document_id"))
    .order_by(col(DocumentIdentifier.scheme), col(DocumentIdentifier.value))
)
_JSON_FIELDS = ("authors", "recipients", "provenance", "notes")
_COUNTS_AT = len(_FIELDS)
_SCHEME_AT = _COUNTS_AT + len(_COUNTS)


@lru_cache(maxsize=8)
def _detail_sql(dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    """``_DETAIL`` compiled for ``dialect``, with the order of its parameters if positional."""
    compiled = _DETAIL.compile(dialect=dialect)
    positions = tuple(compiled.positiontup or ()) if compiled.positional else None
    return str(compiled), positions


def _detail_rows(connection: Connection | Session, document_id: str) -> Sequence[Sequence[Any]]:
    """The rows of ``_DETAIL`` for one document.

    A Session executes the statement itself, so that its pending changes are flushed first.
    A Connection, the hot path (``api.db.engine.Reader``), hands the SQL that SQLAlchemy compiled
    once for its dialect straight to the driver's cursor: SQLAlchemy's execution layer
    (context, result set-up, row processing) costs twice what the query does. Nothing is
    lost: the JSON columns are read as text and decoded once by the caller, and dates and
    timestamps, which SQLite returns as text, are parsed by the response model. On SQLite a
    SELECT opens no transaction; on PostgreSQL the pool's reset ends the driver's.
    """
    params = {"document_id": document_id}
    if isinstance(connection, Session):
        return connection.execute(_DETAIL, params).all()
    sql, positions = _detail_sql(connection.dialect)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params if positions is None else tuple(params[n] for n in positions))
        return cursor.fetchall()
    finally:
        cursor.close()


def get_document(
    connection: Connection | Session, *, document_id: str, base: str
) -> DocumentPublic:
    """One document with its counts and identifiers.

    Takes a Core ``Connection`` on the hot path (``api.db.engine.Reader``, see ``_detail_rows``);
    a ``Session`` works too. Rows are read by position and the response is validated in one
    call: both cost a fraction of reading two dozen row attributes and building three models.
    """
    rows = _detail_rows(connection, document_id)
    if not rows:
        raise NotFound("document", document_id)
    first = rows[0]
    record = dict(zip(_FIELDS, first, strict=False))
    if record.pop("deleted_at") is not None:
        raise Gone("document", document_id)
    for name in _JSON_FIELDS:
        record[name] = json.loads(record[name])
    self_url = f"{base}/v1/documents/{record['id']}"
    record["identifiers"] = [
        {"scheme": row[_SCHEME_AT], "value": row[_SCHEME_AT + 1]}
        for row in rows
        if row[_SCHEME_AT] is not None
    ]
    record["counts"] = dict(zip(_COUNTS, first[_COUNTS_AT:_SCHEME_AT], strict=True))
    record["links"] = {
        "self": self_url,
        "collection": f"{base}/v1/collections/{record['collection']}",
        "text": f"{self_url}/text",
        "passages": f"{self_url}/passages",
        "footnotes": f"{self_url}/footnotes",
        "pages": f"{self_url}/pages",
    }
    return DocumentPublic.model_validate(record)


def require_document(session: Session, document_id: str) -> None:
    """404 for an unknown document, 410 for a deleted one."""
    row = session.execute(
        select(col(Document.id), col(Document.deleted_at)).where(col(Document.id) == document_id)
    ).first()
    if row is None:
        raise NotFound("document", document_id)
    if row.deleted_at is not None:
        raise Gone("document", document_id)


@dataclass(frozen=True, slots=True)
class DocumentModified:
    """A live document's id and when it last changed."""

    id: str
    updated_at: dt.datetime


def live_documents_modified(
    session: Session, *, after: str | None, limit: int
) -> tuple[list[DocumentModified], str | None]:
    """The live documents by id with their last change, keyset paged (``after`` an id).

    For lists of every document that need no more than that, such as a sitemap's
    ``lastmod``: two columns per row, where ``get_document`` for each would count its
    passages and measure its text. The second value is the id to continue after, or None
    on the last page. Timestamps are in UTC (SQLite hands them back without a zone).
    """
    query = select(col(Document.id), col(Document.updated_at)).where(is_live())
    if after is not None:
        query = query.where(col(Document.id) > after)
    rows = session.execute(query.order_by(col(Document.id)).limit(limit + 1)).all()
    items = [
        DocumentModified(
            r.id,
            r.updated_at if r.updated_at.tzinfo else r.updated_at.replace(tzinfo=dt.UTC),
        )
        for r in rows[:limit]
    ]
    return items, (items[-1].id if len(rows) > limit else None)
