"""The SQL that finds hits and cuts them into pages, the same on both engines.

Only the match and the score come from the engine (``api.search.backends``); everything
here is shared, so that a filter, an order or a page boundary means the same on SQLite and
PostgreSQL. Hits are passages and notes; what they are shown with (text, document) is
fetched for one page only, after sorting, rather than carried through the sort of every
match.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy import (
    SQLColumnExpression,
    func,
    literal,
    not_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select, Subquery
from sqlmodel import Session, col

from api.db.models import Document, Footnote, Passage
from api.db.models.document import is_live
from api.documents.service import UNDATED
from api.search.backends import SearchBackend
from api.search.filters import Scope, SearchFilters, Sort, document_conditions
from api.search.query import Node

FOOTNOTE_SEQ_BASE = 1_000_000  # notes sort after every passage of their document

# One container's matches, unscored: (row id, document id, seq, folded text).
ContainerMatches = Select[int, str, int, str]


class ShownHit(Protocol):
    """What a hit is shown with: where it is and the document it belongs to."""

    container: Literal["passage", "footnote"]
    row_id: int
    document_id: str
    ref: str
    kind: str
    text_start: int | None  # in the full text: where the passage starts or a note's marker is
    title: str
    date: str | None
    source_type: str
    collection_id: str


class PagedHit(ShownHit, Protocol):
    """A hit of a page the engine sorted: its score comes with it, its text does not."""

    score: float


class TextHit(ShownHit, Protocol):
    """A hit of a page sorted here: looked up by id, text included."""

    text: str
    norm_text: str


@dataclass(frozen=True)
class Match:
    """A match found, and scored, outside the engine's ranking: enough to fetch it later."""

    container: str
    row_id: int
    document_id: str
    seq: int
    score: float


def containers(scope: Scope) -> list[str]:
    return {"text": ["passage"], "footnotes": ["footnote"], "all": ["passage", "footnote"]}[scope]


def model(container: str) -> type[Passage] | type[Footnote]:
    return Passage if container == "passage" else Footnote


def _not_deleted(document_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """Not in a deleted (tombstoned) document.

    The few tombstones are listed once per query, from a partial index (migration 0006),
    instead of reading the document row of every match: on SQLite ``deleted_at`` lies past
    the document's full text, so reading it walks the text's overflow pages. Hence NOT IN
    the documents that are not live, rather than a join on ``is_live()``.
    """
    tombstones = select(col(Document.id)).where(not_(is_live()))
    return document_id.not_in(tombstones)


def hits_source(
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    *,
    scored: bool = True,
) -> Subquery:
    """One row per matching passage or note: (container, row id, document, ref, kind, seq,
    text start, score); the score 0 when not ``scored``, as facets need no rank."""
    parts = []
    if scope in ("text", "all"):
        clause = backend.clause("passage", query)
        select_passages = select(
            literal("passage").label("container"),
            col(Passage.id).label("row_id"),
            col(Passage.document_id).label("document_id"),
            col(Passage.ref).label("ref"),
            col(Passage.kind).label("kind"),
            col(Passage.seq).label("seq"),
            col(Passage.start_offset).label("text_start"),
            (clause.score if scored else literal(0.0)).label("score"),
        ).select_from(Passage)
        if clause.index is not None:
            select_passages = select_passages.join(
                clause.index, clause.index.c.rowid == col(Passage.id)
            )
        select_passages = select_passages.where(
            clause.match, _not_deleted(col(Passage.document_id))
        )
        if not filters.include_boilerplate:
            select_passages = select_passages.where(col(Passage.boilerplate).is_(False))
        if filters.document is not None:
            select_passages = select_passages.where(col(Passage.document_id) == filters.document)
        parts.append(select_passages)
    if scope in ("footnotes", "all"):
        clause = backend.clause("footnote", query)
        select_notes = select(
            literal("footnote").label("container"),
            col(Footnote.id).label("row_id"),
            col(Footnote.document_id).label("document_id"),
            col(Footnote.ref).label("ref"),
            literal("footnote").label("kind"),
            (col(Footnote.number) + FOOTNOTE_SEQ_BASE).label("seq"),
            col(Footnote.offset).label("text_start"),
            (clause.score if scored else literal(0.0)).label("score"),
        ).select_from(Footnote)
        if clause.index is not None:
            select_notes = select_notes.join(clause.index, clause.index.c.rowid == col(Footnote.id))
        select_notes = select_notes.where(clause.match, _not_deleted(col(Footnote.document_id)))
        if filters.document is not None:
            select_notes = select_notes.where(col(Footnote.document_id) == filters.document)
        parts.append(select_notes)
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("hits")


def container_matches(
    backend: SearchBackend, query: Node, container: str, filters: SearchFilters
) -> tuple[ContainerMatches, ColumnElement[Any]]:
    """One container's filtered matches, unscored, and the column of their index order.

    Ordered by that column and limited, the engine stops after the first matches instead of
    scoring and sorting all of them.
    """
    clause = backend.clause(container, query)
    table = model(container)
    seq: SQLColumnExpression[int] = (
        col(Passage.seq) if container == "passage" else col(Footnote.number) + FOOTNOTE_SEQ_BASE
    )
    statement: ContainerMatches = select(
        col(table.id).label("row_id"),
        col(table.document_id).label("document_id"),
        seq.label("seq"),
        col(table.norm_text).label("norm_text"),
    ).select_from(table)
    if clause.index is not None:
        statement = statement.join(clause.index, clause.index.c.rowid == col(table.id))
    statement = statement.where(clause.match, _not_deleted(col(table.document_id)))
    if container == "passage" and not filters.include_boilerplate:
        statement = statement.where(col(Passage.boilerplate).is_(False))
    if filters.document is not None:
        # Also as a list of row ids for the index: the engine then looks up the document's
        # rows instead of walking every match of the query for the few in this document.
        in_document = select(col(table.id)).where(col(table.document_id) == filters.document)
        statement = statement.where(
            col(table.document_id) == filters.document,
            clause.rowid.in_(in_document.scalar_subquery()),
        )
    conditions = document_conditions(filters)
    if conditions:
        on_document = col(Document.id) == col(table.document_id)
        statement = statement.join(Document, on_document).where(*conditions)
    return statement, clause.rowid


def _with_documents(hits: Subquery, filters: SearchFilters) -> Select[*tuple[Any, ...]]:
    statement = select(
        hits,
        col(Document.title),
        col(Document.date),
        col(Document.date_start),
        col(Document.source_type),
        col(Document.collection_id),
        col(Document.genre),
    ).join(Document, col(Document.id) == hits.c.document_id)
    for condition in document_conditions(filters):
        statement = statement.where(condition)
    return statement


def _order(hits: Subquery, sort: Sort) -> list[ColumnElement[Any]]:
    if sort == "relevance":
        return [hits.c.score.desc(), hits.c.document_id, hits.c.seq]
    return [hits.c.document_id, hits.c.seq]


def engine_page(
    session: Session,
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    sort: Sort,
    filters: SearchFilters,
    offset: int,
    limit: int,
) -> Sequence[PagedHit]:
    """``limit + 1`` hits from ``offset``, in the order asked for, scored by the engine."""
    hits = hits_source(backend, query, scope, filters)
    if sort == "date" or document_conditions(filters):
        statement = _with_documents(hits, filters)
        if sort == "date":
            date_key = func.coalesce(col(Document.date_start), literal(UNDATED))
            statement = statement.order_by(date_key, hits.c.document_id, hits.c.seq)
        else:
            statement = statement.order_by(*_order(hits, sort))
        statement = statement.offset(offset).limit(limit + 1)
    else:
        # Nothing to filter on in the documents: sort the hits, then look up the documents
        # of one page rather than of every match.
        page_hits = (
            select(hits).order_by(*_order(hits, sort)).offset(offset).limit(limit + 1)
        ).subquery("page")
        statement = _with_documents(page_hits, filters).order_by(*_order(page_hits, sort))
    return session.execute(statement).all()


def hit_rows(session: Session, page: list[Match]) -> list[TextHit]:
    """What a hit shows (text, ref, document) for the matches of one page, in their order."""
    found: dict[tuple[str, int], TextHit] = {}
    for container in ("passage", "footnote"):
        ids = [m.row_id for m in page if m.container == container]
        if not ids:
            continue
        columns: list[ColumnElement[Any]]
        if container == "passage":
            columns = [
                literal("passage").label("container"),
                col(Passage.id).label("row_id"),
                col(Passage.document_id).label("document_id"),
                col(Passage.ref).label("ref"),
                col(Passage.kind).label("kind"),
                col(Passage.start_offset).label("text_start"),
                col(Passage.text).label("text"),
                col(Passage.norm_text).label("norm_text"),
            ]
        else:
            columns = [
                literal("footnote").label("container"),
                col(Footnote.id).label("row_id"),
                col(Footnote.document_id).label("document_id"),
                col(Footnote.ref).label("ref"),
                literal("footnote").label("kind"),
                col(Footnote.offset).label("text_start"),
                col(Footnote.text).label("text"),
                col(Footnote.norm_text).label("norm_text"),
            ]
        table = model(container)
        statement = (
            select(
                *columns,
                col(Document.title),
                col(Document.date),
                col(Document.source_type),
                col(Document.collection_id),
            )
            .join(Document, col(Document.id) == col(table.document_id))
            .where(col(table.id).in_(ids))
        )
        rows: Sequence[TextHit] = session.execute(statement).all()
        for row in rows:
            found[(container, row.row_id)] = row
    return [found[(m.container, m.row_id)] for m in page]


def texts(session: Session, rows: Sequence[ShownHit]) -> dict[tuple[str, int], tuple[str, str]]:
    """The printed and folded text of each hit, fetched in two queries rather than carried
    through sorting."""
    found: dict[tuple[str, int], tuple[str, str]] = {}
    passage_ids = [r.row_id for r in rows if r.container == "passage"]
    note_ids = [r.row_id for r in rows if r.container == "footnote"]
    if passage_ids:
        for row_id, text, folded in session.execute(
            select(col(Passage.id), col(Passage.text), col(Passage.norm_text)).where(
                col(Passage.id).in_(passage_ids)
            )
        ).all():
            found[("passage", row_id)] = (text, folded)
    if note_ids:
        for row_id, text, folded in session.execute(
            select(col(Footnote.id), col(Footnote.text), col(Footnote.norm_text)).where(
                col(Footnote.id).in_(note_ids)
            )
        ).all():
            found[("footnote", row_id)] = (text, folded)
    return found
