"""Search over passages and footnotes: filters, sorting, pages, snippets and facets.

The engine-specific part is only the match and the score (``api.search.backends``); the
rest is one SQL shape for both engines. Hits are passages and notes; filters apply to the
documents they belong to.
"""

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import String, cast, func, literal, literal_column, null, select, union_all
from sqlmodel import Session

from api.models import Document, Entity, EventReport, Footnote, Mention, Passage
from api.schemas.search import FacetValue, HitDocument, SearchHit, SearchSnippet, Span
from api.search.backends import SearchBackend
from api.search.normalize import fold
from api.search.query import Node, Term, positive_terms
from api.services.documents import UNDATED

Scope = Literal["text", "footnotes", "all"]
Sort = Literal["relevance", "date", "position"]
FACETS = ("source_type", "genre", "collection", "year", "entity")
SNIPPET_RADIUS = 80
FOOTNOTE_SEQ_BASE = 1_000_000  # notes sort after every passage of their document


@dataclass(frozen=True)
class SearchFilters:
    collection: str | None = None
    source_type: str | None = None
    genre: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    document: str | None = None
    entity: str | None = None
    event: str | None = None
    include_boilerplate: bool = False


def _hits_source(backend: SearchBackend, query: Node, scope: Scope, filters: SearchFilters) -> Any:
    """One row per matching passage or note: (container, row id, document, ref, kind, seq,
    text start, score)."""
    parts = []
    if scope in ("text", "all"):
        clause = backend.clause("passage", query)
        select_passages = select(
            literal("passage").label("container"),
            Passage.id.label("row_id"),  # type: ignore[union-attr]
            Passage.document_id.label("document_id"),  # type: ignore[attr-defined]
            Passage.ref.label("ref"),  # type: ignore[attr-defined]
            Passage.kind.label("kind"),  # type: ignore[attr-defined]
            Passage.seq.label("seq"),  # type: ignore[attr-defined]
            Passage.start_offset.label("text_start"),  # type: ignore[attr-defined]
            clause.score.label("score"),
        ).select_from(Passage)
        if clause.index is not None:
            select_passages = select_passages.join(clause.index, clause.index.c.rowid == Passage.id)
        select_passages = select_passages.where(clause.match)
        if not filters.include_boilerplate:
            select_passages = select_passages.where(Passage.boilerplate.is_(False))  # type: ignore[attr-defined]
        if filters.document is not None:
            select_passages = select_passages.where(Passage.document_id == filters.document)
        parts.append(select_passages)
    if scope in ("footnotes", "all"):
        clause = backend.clause("footnote", query)
        select_notes = select(
            literal("footnote").label("container"),
            Footnote.id.label("row_id"),  # type: ignore[union-attr]
            Footnote.document_id.label("document_id"),  # type: ignore[attr-defined]
            Footnote.ref.label("ref"),  # type: ignore[attr-defined]
            literal("footnote").label("kind"),
            (Footnote.number + FOOTNOTE_SEQ_BASE).label("seq"),
            cast(null(), Passage.start_offset.type).label("text_start"),  # type: ignore[attr-defined]
            clause.score.label("score"),
        ).select_from(Footnote)
        if clause.index is not None:
            select_notes = select_notes.join(clause.index, clause.index.c.rowid == Footnote.id)
        select_notes = select_notes.where(clause.match)
        if filters.document is not None:
            select_notes = select_notes.where(Footnote.document_id == filters.document)
        parts.append(select_notes)
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("hits")


def _filtered(hits: Any, filters: SearchFilters) -> Any:
    query = select(
        hits,
        Document.title,
        Document.date,
        Document.date_start,
        Document.source_type,
        Document.collection_id,
        Document.genre,
    ).join(Document, Document.id == hits.c.document_id)
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
    if filters.entity is not None:
        query = query.where(
            Document.id.in_(  # type: ignore[attr-defined]
                select(Mention.document_id).where(
                    Mention.entity_id == filters.entity, Mention.status != "rejected"
                )
            )
        )
    if filters.event is not None:
        query = query.where(
            Document.id.in_(  # type: ignore[attr-defined]
                select(Mention.document_id)
                .where(Mention.entity_id == filters.event, Mention.status != "rejected")
                .union(select(EventReport.document_id).where(EventReport.event_id == filters.event))
            )
        )
    return query


def _pattern(term: Term) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(token) for token in term.tokens)
    tail = r"[^\W_]*" if term.prefix else r"(?![^\W_])"
    return re.compile(r"(?<![^\W_])" + words + tail)


def find_matches(text: str, query: Node) -> list[Span]:
    """Where the query's positive terms stand in ``text`` (offsets in the text as printed)."""
    folded = fold(text)
    spans = sorted(
        {
            (m.start(), m.end())
            for term in positive_terms(query)
            for m in _pattern(term).finditer(folded)
        }
    )
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1].end:
            merged[-1] = Span(start=merged[-1].start, end=max(end, merged[-1].end))
        else:
            merged.append(Span(start=start, end=end))
    return merged


def make_snippet(text: str, matches: list[Span]) -> SearchSnippet:
    if matches:
        left = max(0, matches[0].start - SNIPPET_RADIUS)
        right = min(len(text), matches[0].end + SNIPPET_RADIUS)
    else:
        left, right = 0, min(len(text), 2 * SNIPPET_RADIUS)
    if left > 0:
        space = text.find(" ", left, matches[0].start if matches else right)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", matches[0].end if matches else left, right)
        right = space if space > left else right
    prefix = "… " if left > 0 else ""
    suffix = " …" if right < len(text) else ""
    excerpt = prefix + text[left:right] + suffix
    shift = len(prefix) - left
    inside = [
        Span(start=m.start + shift, end=m.end + shift)
        for m in matches
        if m.start >= left and m.end <= right
    ]
    pieces: list[str] = []
    cursor = 0
    for span in inside:
        pieces.append(html.escape(excerpt[cursor : span.start]))
        pieces.append("<mark>" + html.escape(excerpt[span.start : span.end]) + "</mark>")
        cursor = span.end
    pieces.append(html.escape(excerpt[cursor:]))
    return SearchSnippet(text=excerpt, html="".join(pieces), highlights=inside)


def search(
    session: Session,
    backend: SearchBackend,
    *,
    query: Node,
    scope: Scope,
    sort: Sort,
    filters: SearchFilters,
    offset: int,
    limit: int,
    base: str,
) -> tuple[list[SearchHit], bool]:
    hits = _hits_source(backend, query, scope, filters)
    statement = _filtered(hits, filters)
    if sort == "relevance":
        statement = statement.order_by(hits.c.score.desc(), hits.c.document_id, hits.c.seq)
    elif sort == "date":
        date_key = func.coalesce(Document.date_start, literal(UNDATED))
        statement = statement.order_by(date_key, hits.c.document_id, hits.c.seq)
    else:
        statement = statement.order_by(hits.c.document_id, hits.c.seq)
    rows = session.execute(statement.offset(offset).limit(limit + 1)).all()
    page = rows[:limit]
    texts = _texts(session, page)
    items = []
    for row in page:
        text = texts[(row.container, row.row_id)]
        matches = find_matches(text, query)
        doc = f"{base}/v1/documents/{row.document_id}"
        part = "passages" if row.container == "passage" else "footnotes"
        items.append(
            SearchHit(
                document=HitDocument(
                    id=row.document_id,
                    title=row.title,
                    date=row.date,
                    source_type=row.source_type,
                    collection=row.collection_id,
                ),
                container=row.container,
                ref=row.ref,
                kind=row.kind,
                score=round(float(row.score), 6),
                matches=matches,
                text_start=row.text_start,
                snippet=make_snippet(text, matches),
                links={"document": doc, row.container: f"{doc}/{part}/{row.ref}"},
            )
        )
    return items, len(rows) > limit


def _texts(session: Session, rows: list[Any]) -> dict[tuple[str, int], str]:
    """The printed text of each hit, fetched in two queries rather than carried through sorting."""
    found: dict[tuple[str, int], str] = {}
    passage_ids = [r.row_id for r in rows if r.container == "passage"]
    note_ids = [r.row_id for r in rows if r.container == "footnote"]
    if passage_ids:
        for row_id, text in session.execute(
            select(Passage.id, Passage.text).where(Passage.id.in_(passage_ids))  # type: ignore[union-attr]
        ).all():
            found[("passage", row_id)] = text
    if note_ids:
        for row_id, text in session.execute(
            select(Footnote.id, Footnote.text).where(Footnote.id.in_(note_ids))  # type: ignore[union-attr]
        ).all():
            found[("footnote", row_id)] = text
    return found


def facets(
    session: Session,
    backend: SearchBackend,
    *,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    wanted: list[str],
    top: int = 10,
) -> dict[str, list[FacetValue]]:
    """Counts of hits by document property, over every hit (not just one page)."""
    hits = _hits_source(backend, query, scope, filters)
    matched = _filtered(hits, filters).subquery("matched")
    out: dict[str, list[FacetValue]] = {}
    columns = {
        "source_type": matched.c.source_type,
        "genre": matched.c.genre,
        "collection": matched.c.collection_id,
        "year": func.substr(cast(matched.c.date_start, String), 1, 4),
    }
    for name in wanted:
        if name == "entity":
            continue
        key = columns[name].label("value")
        rows = session.execute(
            select(key, func.count().label("n"))
            .select_from(matched)
            .where(key.is_not(None))
            .group_by(key)
            .order_by(func.count().desc(), key)
            .limit(top)
        ).all()
        out[name] = [FacetValue(value=str(r.value), count=r.n) for r in rows]
    if "entity" in wanted:
        documents = select(matched.c.document_id).distinct().subquery("matched_documents")
        rows = session.execute(
            select(
                Entity.id, Entity.name, func.count(func.distinct(Mention.document_id)).label("n")
            )
            .join(Mention, Mention.entity_id == Entity.id)  # type: ignore[arg-type]
            .where(
                Mention.document_id.in_(select(documents.c.document_id)),  # type: ignore[attr-defined]
                Mention.status != "rejected",
            )
            .group_by(Entity.id, Entity.name)
            .order_by(literal_column("n").desc(), Entity.id)
            .limit(top)
        ).all()
        out["entity"] = [FacetValue(value=r.id, label=r.name, count=r.n) for r in rows]
    return out
