"""Search over passages and footnotes: filters, sorting, pages, snippets and facets.

The engine-specific part is only the match and the score (``api.search.backends``); the
rest is one SQL shape for both engines. Hits are passages and notes; filters apply to the
documents they belong to.

Relevance is ranked by the engine (BM25, ts_rank_cd) unless that would mean scoring a huge
number of matches; then the first ``rank_limit`` matches are ranked here instead
(``api.search.ranking``), and the response says so.
"""

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Integer, String, cast, func, literal, null, select, union_all
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from api.db.models import Document, Entity, EventReport, Footnote, Mention, Passage
from api.documents.service import UNDATED
from api.records.normalize import fold
from api.search.backends import SearchBackend
from api.search.query import Node, Term, positive_terms
from api.search.ranking import (
    COMMON_WORD,
    FREQUENCY_SAMPLE,
    RANK_LIMIT,
    Bm25,
    estimate_frequency,
    term_pattern,
    upper_bound,
)
from api.search.schemas import FacetValue, HitDocument, SearchHit, SearchSnippet, Span

Scope = Literal["text", "footnotes", "all"]
Sort = Literal["relevance", "date", "position"]
Ranking = Literal["exact", "approximate"]
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


def _live(document_id: Any) -> ColumnElement[bool]:
    """Not in a deleted (tombstoned) document.

    The few tombstones are listed once per query, from a partial index (migration 0006),
    instead of reading the document row of every match: on SQLite ``deleted_at`` lies past
    the document's full text, so reading it walks the text's overflow pages.
    """
    tombstones = select(Document.id).where(Document.deleted_at.is_not(None))  # type: ignore[union-attr]
    return document_id.not_in(tombstones)  # type: ignore[no-any-return]


def _hits_source(
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    *,
    scored: bool = True,
) -> Any:
    """One row per matching passage or note: (container, row id, document, ref, kind, seq,
    text start, score); the score 0 when not ``scored``."""
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
            (clause.score if scored else literal(0.0)).label("score"),
        ).select_from(Passage)
        if clause.index is not None:
            select_passages = select_passages.join(clause.index, clause.index.c.rowid == Passage.id)
        select_passages = select_passages.where(clause.match, _live(Passage.document_id))
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
            (clause.score if scored else literal(0.0)).label("score"),
        ).select_from(Footnote)
        if clause.index is not None:
            select_notes = select_notes.join(clause.index, clause.index.c.rowid == Footnote.id)
        select_notes = select_notes.where(clause.match, _live(Footnote.document_id))
        if filters.document is not None:
            select_notes = select_notes.where(Footnote.document_id == filters.document)
        parts.append(select_notes)
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("hits")


def _document_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """The filters that are properties of a hit's document (Document must be joined)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.collection is not None:
        conditions.append(Document.collection_id == filters.collection)  # type: ignore[arg-type]
    if filters.source_type is not None:
        conditions.append(Document.source_type == filters.source_type)  # type: ignore[arg-type]
    if filters.genre is not None:
        conditions.append(Document.genre == filters.genre)  # type: ignore[arg-type]
    if filters.date_from is not None:
        conditions.append(Document.date_end >= filters.date_from)  # type: ignore[arg-type,operator]
    if filters.date_to is not None:
        conditions.append(Document.date_start <= filters.date_to)  # type: ignore[arg-type,operator]
    if filters.entity is not None:
        conditions.append(
            Document.id.in_(  # type: ignore[attr-defined]
                select(Mention.document_id).where(
                    Mention.entity_id == filters.entity, Mention.status != "rejected"
                )
            )
        )
    if filters.event is not None:
        conditions.append(
            Document.id.in_(  # type: ignore[attr-defined]
                select(Mention.document_id)
                .where(Mention.entity_id == filters.event, Mention.status != "rejected")
                .union(select(EventReport.document_id).where(EventReport.event_id == filters.event))
            )
        )
    return conditions


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
    for condition in _document_conditions(filters):
        query = query.where(condition)
    return query


def find_matches(text: str, query: Node, folded: str | None = None) -> list[Span]:
    """Where the query's positive terms stand in ``text`` (offsets in the text as printed).

    ``folded`` is the stored ``norm_text`` when the caller has it: the same string as
    ``fold(text)`` (the loader writes it so), without folding hundreds of characters again.
    """
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    spans = sorted(
        {
            (m.start(), m.end())
            for term in positive_terms(query)
            for m in term_pattern(term).finditer(folded)
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


@dataclass
class SearchPage:
    items: list[SearchHit]
    more: bool
    ranking: Ranking = "exact"


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
    rank_limit: int = RANK_LIMIT,
    common_word: int = COMMON_WORD,
) -> SearchPage:
    matches: list[_Match] | None = None
    ranking: Ranking = "approximate"
    if backend.weighs_every_match and filters.document is not None:
        matches = _in_document(session, backend, query, scope, filters, sort, offset, limit)
        ranking = "approximate" if sort == "relevance" else "exact"
    elif sort == "relevance":
        approximation = _approximation(
            session,
            backend,
            query,
            scope,
            filters,
            rank_limit=rank_limit,
            common_word=common_word,
        )
        if approximation is not None:
            matches = _approximate_page(
                session, backend, query, filters, approximation, offset, limit
            )
    if matches is not None:
        rows = _hit_rows(session, matches[:limit])
        items = [
            _hit(row, row.text, row.norm_text, match.score, query, base)
            for row, match in zip(rows, matches, strict=False)
        ]
        return SearchPage(items, len(matches) > limit, ranking)
    hits = _hits_source(backend, query, scope, filters)
    if sort == "date" or _document_conditions(filters):
        statement = _filtered(hits, filters)
        if sort == "date":
            date_key = func.coalesce(Document.date_start, literal(UNDATED))
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
        statement = _filtered(page_hits, filters).order_by(*_order(page_hits, sort))
    found = session.execute(statement).all()
    page = found[:limit]
    texts = _texts(session, page)
    items = [
        _hit(row, *texts[(row.container, row.row_id)], float(row.score), query, base)
        for row in page
    ]
    return SearchPage(items, len(found) > limit)


def _order(hits: Any, sort: Sort) -> list[Any]:
    if sort == "relevance":
        return [hits.c.score.desc(), hits.c.document_id, hits.c.seq]
    return [hits.c.document_id, hits.c.seq]


def _hit(row: Any, text: str, folded: str, score: float, query: Node, base: str) -> SearchHit:
    matches = find_matches(text, query, folded)
    doc = f"{base}/v1/documents/{row.document_id}"
    part = "passages" if row.container == "passage" else "footnotes"
    return SearchHit(
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
        score=round(score, 6),
        matches=matches,
        text_start=row.text_start,
        snippet=make_snippet(text, matches),
        links={"document": doc, row.container: f"{doc}/{part}/{row.ref}"},
    )


# --- approximate ranking of very common queries (see api.search.ranking) ----------------------


@dataclass(frozen=True)
class _Match:
    container: str
    row_id: int
    document_id: str
    seq: int
    score: float


@dataclass(frozen=True)
class _Arm:
    """One container's part of an approximate ranking."""

    container: str
    scorer: Bm25
    cut: int | None  # the last ranked match, when the container has more matches after it


@dataclass
class _Approximation:
    arms: list[_Arm]
    # (-score, document, seq, container, row id), best first: plain tuples, as there may be
    # thousands; the page's become _Match.
    ranked: list[tuple[float, str, int, str, int]] = field(default_factory=list)


def _containers(scope: Scope) -> list[str]:
    return {"text": ["passage"], "footnotes": ["footnote"], "all": ["passage", "footnote"]}[scope]


def _model(container: str) -> type[Passage] | type[Footnote]:
    return Passage if container == "passage" else Footnote


def _matches(
    backend: SearchBackend, query: Node, container: str, filters: SearchFilters
) -> tuple[Select[Any], ColumnElement[Any]]:
    """One container's filtered matches, unscored, and the column of their index order.

    Ordered by that column and limited, the engine stops after the first matches instead of
    scoring and sorting all of them.
    """
    clause = backend.clause(container, query)
    model = _model(container)
    seq = Passage.seq if container == "passage" else Footnote.number + FOOTNOTE_SEQ_BASE
    statement = select(
        model.id.label("row_id"),  # type: ignore[union-attr]
        model.document_id.label("document_id"),  # type: ignore[attr-defined]
        seq.label("seq"),  # type: ignore[attr-defined]
        model.norm_text.label("norm_text"),  # type: ignore[attr-defined]
    ).select_from(model)
    if clause.index is not None:
        statement = statement.join(clause.index, clause.index.c.rowid == model.id)
    statement = statement.where(clause.match, _live(model.document_id))
    if container == "passage" and not filters.include_boilerplate:
        statement = statement.where(Passage.boilerplate.is_(False))  # type: ignore[attr-defined]
    if filters.document is not None:
        # Also as a list of row ids for the index: the engine then looks up the document's
        # rows instead of walking every match of the query for the few in this document.
        in_document = select(model.id).where(model.document_id == filters.document)  # type: ignore[arg-type]
        statement = statement.where(
            model.document_id == filters.document,  # type: ignore[arg-type]
            clause.rowid.in_(in_document.scalar_subquery()),
        )
    conditions = _document_conditions(filters)
    if conditions:
        on_document = Document.id == model.document_id
        statement = statement.join(Document, on_document).where(*conditions)  # type: ignore[arg-type]
    return statement, clause.rowid


def _frequencies(
    session: Session,
    backend: SearchBackend,
    container: str,
    query: Node,
    candidates: Sequence[Any] | None = None,
    truncated: bool = False,
) -> tuple[dict[Term, int], int]:
    """Rows of ``container`` holding each positive term of ``query`` (estimated), and rows.

    One statement: the ends of the id range, then for each term the count and last id of
    its first FREQUENCY_SAMPLE matches. A query of one term whose first matches are in hand
    (``candidates``, ``truncated`` when there are more) is estimated from them instead.
    """
    model = _model(container)
    terms = list(dict.fromkeys(positive_terms(query)))
    if candidates is not None and len(terms) != 1:
        candidates = None
    # Two scalar subqueries: SQLite answers min() or max() alone from the B-tree's ends, but
    # scans the table for both in one SELECT.
    parts = [
        select(
            literal(-1),
            select(func.min(model.id)).scalar_subquery(),  # type: ignore[arg-type]
            select(func.max(model.id)).scalar_subquery(),  # type: ignore[arg-type]
        )
    ]
    for number, term in enumerate(terms if candidates is None else []):
        clause = backend.clause(container, term)
        ids = (
            select(clause.rowid.label("id"))
            .select_from(clause.index if clause.index is not None else model)
            .where(clause.match)
            .order_by(clause.rowid)
            .limit(FREQUENCY_SAMPLE)
            .subquery()
        )
        parts.append(select(literal(number), func.count(), func.max(ids.c.id)))
    found = {row[0]: (row[1], row[2]) for row in session.connection().execute(union_all(*parts))}
    first, last = found[-1]
    if first is None:
        return dict.fromkeys(terms, 0), 0
    rows = last - first + 1
    if candidates is not None:
        count = len(candidates)
        last_id = candidates[-1].row_id if candidates and truncated else None
        return {terms[0]: estimate_frequency(count, last_id, first, rows)}, rows
    frequency = {
        term: estimate_frequency(*found[number], first, rows) for number, term in enumerate(terms)
    }
    return frequency, rows


def _approximation(
    session: Session,
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    *,
    rank_limit: int,
    common_word: int,
) -> _Approximation | None:
    """The ranking of a query too common for the engine to rank, or None to let it rank.

    The question is answered from the index alone, cheaply: how many rows hold each word
    (estimated), hence at most how many rows match. When that bound is over ``rank_limit``,
    or a word is very common on an engine that reads every match of every word to weigh it,
    the first ``rank_limit`` matches are fetched and ranked here. If there turn out to be
    fewer (a NOT or a phrase can match far fewer rows than its words), they are all ranked
    here all the same: asking the engine would mean finding them a second time.
    """
    terms = positive_terms(query)
    containers = _containers(scope)
    statistics: dict[str, tuple[dict[Term, int], int]] = {}
    # One word (or phrase, or prefix) and no filter on documents: its first matches say all
    # there is to know — more than rank_limit of them, or few enough that the engine weighs
    # the word in no time. Otherwise, on FTS5, estimating the words' frequencies is cheap
    # and past a very common word the engine's ranking is slow however few rows match:
    # decide before fetching anything.
    single = len(set(terms)) == 1 and not _document_conditions(filters)
    if backend.weighs_every_match and not single:
        common = large = False
        for container in containers:
            frequency, rows = _frequencies(session, backend, container, query)
            statistics[container] = (frequency, rows)
            common |= any(n > common_word for n in frequency.values())
            large |= upper_bound(query, frequency) > rank_limit
        if not (common or large):
            return None
    found = {}
    for container in containers:
        statement, order = _matches(backend, query, container, filters)
        found[container] = (
            session.connection().execute(statement.order_by(order).limit(rank_limit + 1)).all()
        )
    if not statistics:
        # PostgreSQL, or one word: ranking a few matches costs little, whereas estimating a
        # frequent word's frequency on PostgreSQL walks the table. Fetch first; estimate only
        # to rank here, and from the matches in hand when the query has a single term.
        if all(len(rows) <= rank_limit for rows in found.values()):
            return None
        for container in containers:
            candidates = found[container]
            statistics[container] = _frequencies(
                session, backend, container, query, candidates, len(candidates) > rank_limit
            )
    approximation = _Approximation(arms=[])
    ranked: list[tuple[float, str, int, str, int]] = []
    for container, (frequency, rows) in statistics.items():
        head = found[container][:rank_limit]
        scorer = Bm25.build(terms, frequency, rows, head)
        more = len(found[container]) > rank_limit
        approximation.arms.append(_Arm(container, scorer, head[-1].row_id if more else None))
        scores = scorer.scores([r.norm_text for r in head])
        ranked += [
            (-score, r.document_id, r.seq, container, r.row_id)
            for r, score in zip(head, scores, strict=True)
        ]
    ranked.sort()  # best first; ties as the SQL ordering breaks them
    approximation.ranked = ranked
    return approximation


def _approximate_page(
    session: Session,
    backend: SearchBackend,
    query: Node,
    filters: SearchFilters,
    approximation: _Approximation,
    offset: int,
    limit: int,
) -> list[_Match]:
    """``limit + 1`` matches from ``offset``: the ranked ones, then the rest in index order."""
    wanted = limit + 1
    page = [
        _Match(container, row_id, document_id, seq, -negated)
        for negated, document_id, seq, container, row_id in approximation.ranked[
            offset : offset + wanted
        ]
    ]
    skip = max(0, offset - len(approximation.ranked))
    for arm in approximation.arms:
        if len(page) >= wanted:
            break
        if arm.cut is None:
            continue
        statement, order = _matches(backend, query, arm.container, filters)
        rest = statement.where(order > arm.cut).order_by(order)
        found = session.connection().execute(rest.offset(skip).limit(wanted - len(page))).all()
        if not found and skip:
            # This container's rest is shorter than the offset: skip it and go on in the next.
            skip -= session.execute(
                select(func.count()).select_from(rest.limit(skip).subquery())
            ).scalar_one()
        elif found:
            skip = 0
        scores = arm.scorer.scores([r.norm_text for r in found])
        page += [
            _Match(arm.container, r.row_id, r.document_id, r.seq, score)
            for r, score in zip(found, scores, strict=True)
        ]
    return page


def _in_document(
    session: Session,
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> list[_Match]:
    """``limit + 1`` hits in one document (find-in-document), on an engine that weighs words.

    The engine finds the document's matches by looking up its rows in the index, which is
    quick; but FTS5's BM25 would weigh the query's words again for every row looked up (for
    "the", a pass over a million rows each time). So the matches are scored here, all of
    them — a document is bounded — with estimated word frequencies, and ordered in Python.
    """
    found: list[_Match] = []
    for container in _containers(scope):
        frequency, rows = _frequencies(session, backend, container, query)
        statement, order = _matches(backend, query, container, filters)
        matches = session.connection().execute(statement.order_by(order)).all()
        scorer = Bm25.build(positive_terms(query), frequency, rows, matches)
        scores = scorer.scores([m.norm_text for m in matches])
        found += [
            _Match(container, m.row_id, m.document_id, m.seq, score)
            for m, score in zip(matches, scores, strict=True)
        ]
    if sort == "relevance":
        found.sort(key=lambda m: (-m.score, m.document_id, m.seq))
    else:  # one document: by date is by position
        found.sort(key=lambda m: (m.document_id, m.seq))
    return found[offset : offset + limit + 1]


def _hit_rows(session: Session, page: list[_Match]) -> list[Any]:
    """What a hit shows (text, ref, document) for the matches of one page, in their order."""
    found: dict[tuple[str, int], Any] = {}
    for container in ("passage", "footnote"):
        ids = [m.row_id for m in page if m.container == container]
        if not ids:
            continue
        if container == "passage":
            columns = [
                literal("passage").label("container"),
                Passage.id.label("row_id"),  # type: ignore[union-attr]
                Passage.document_id.label("document_id"),  # type: ignore[attr-defined]
                Passage.ref.label("ref"),  # type: ignore[attr-defined]
                Passage.kind.label("kind"),  # type: ignore[attr-defined]
                Passage.start_offset.label("text_start"),  # type: ignore[attr-defined]
                Passage.text.label("text"),  # type: ignore[attr-defined]
                Passage.norm_text.label("norm_text"),  # type: ignore[attr-defined]
            ]
        else:
            columns = [
                literal("footnote").label("container"),
                Footnote.id.label("row_id"),  # type: ignore[union-attr]
                Footnote.document_id.label("document_id"),  # type: ignore[attr-defined]
                Footnote.ref.label("ref"),  # type: ignore[attr-defined]
                literal("footnote").label("kind"),
                cast(null(), Passage.start_offset.type).label("text_start"),  # type: ignore[attr-defined]
                Footnote.text.label("text"),  # type: ignore[attr-defined]
                Footnote.norm_text.label("norm_text"),  # type: ignore[attr-defined]
            ]
        model = _model(container)
        statement = (
            select(  # type: ignore[call-overload]
                *columns,
                Document.title,
                Document.date,
                Document.source_type,
                Document.collection_id,
            )
            .join(Document, Document.id == model.document_id)
            .where(model.id.in_(ids))  # type: ignore[union-attr]
        )
        for row in session.execute(statement).all():
            found[(container, row.row_id)] = row
    return [found[(m.container, m.row_id)] for m in page]


def _texts(session: Session, rows: Sequence[Any]) -> dict[tuple[str, int], tuple[str, str]]:
    """The printed and folded text of each hit, fetched in two queries rather than carried
    through sorting."""
    found: dict[tuple[str, int], tuple[str, str]] = {}
    passage_ids = [r.row_id for r in rows if r.container == "passage"]
    note_ids = [r.row_id for r in rows if r.container == "footnote"]
    if passage_ids:
        for row_id, text, folded in session.execute(
            select(Passage.id, Passage.text, Passage.norm_text).where(Passage.id.in_(passage_ids))  # type: ignore[union-attr]
        ).all():
            found[("passage", row_id)] = (text, folded)
    if note_ids:
        for row_id, text, folded in session.execute(
            select(Footnote.id, Footnote.text, Footnote.norm_text).where(Footnote.id.in_(note_ids))  # type: ignore[union-attr]
        ).all():
            found[("footnote", row_id)] = (text, folded)
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
    """Counts of hits by document property, over every hit (not just one page).

    One statement for all the facets asked for: the matches are found once and counted per
    document (unscored: a facet needs no rank), and each facet sums those counts over the
    few matched documents. Finding the matches is the expensive part (every passage of a
    common word), so it is not repeated per facet.
    """
    if not wanted:
        return {}
    hits = _hits_source(backend, query, scope, filters, scored=False)
    per_document = (
        select(hits.c.document_id, func.count().label("n"))
        .group_by(hits.c.document_id)
        .subquery("per_document")
    )
    matched = (
        select(
            per_document.c.document_id,
            per_document.c.n,
            Document.source_type,
            Document.genre,
            Document.collection_id,
            Document.date_start,
        )
        .join(Document, Document.id == per_document.c.document_id)  # type: ignore[arg-type]
        .where(*_document_conditions(filters))
        .cte("matched")
    )
    columns = {
        "source_type": matched.c.source_type,
        "genre": matched.c.genre,
        "collection": matched.c.collection_id,
        "year": func.substr(cast(matched.c.date_start, String), 1, 4),
    }
    arms = []
    for name in wanted:
        if name == "entity":
            entity_count = func.count(func.distinct(Mention.document_id))
            counted = (
                select(
                    literal(name).label("facet"),
                    Entity.id.label("value"),  # type: ignore[attr-defined]
                    Entity.name.label("label"),  # type: ignore[attr-defined]
                    cast(entity_count, Integer).label("n"),
                )
                .join(Mention, Mention.entity_id == Entity.id)  # type: ignore[arg-type]
                .where(
                    Mention.document_id.in_(select(matched.c.document_id)),  # type: ignore[attr-defined]
                    Mention.status != "rejected",
                )
                .group_by(Entity.id, Entity.name)
                .order_by(entity_count.desc(), Entity.id)
            )
        else:
            key = columns[name]
            total = func.sum(matched.c.n)
            counted = (
                select(
                    literal(name).label("facet"),
                    key.label("value"),
                    cast(null(), String).label("label"),
                    cast(total, Integer).label("n"),
                )
                .where(key.is_not(None))
                .group_by(key)
                .order_by(total.desc(), key)
            )
        arm = counted.limit(top).subquery(f"facet_{name}")
        arms.append(select(arm.c.facet, arm.c.value, arm.c.label, arm.c.n))
    out: dict[str, list[FacetValue]] = {name: [] for name in wanted}
    rows = session.execute(arms[0] if len(arms) == 1 else union_all(*arms)).all()
    for row in sorted(rows, key=lambda r: (-r.n, str(r.value))):
        value = FacetValue(value=str(row.value), count=row.n)
        if row.facet == "entity":
            value = FacetValue(value=str(row.value), label=row.label, count=row.n)
        out[row.facet].append(value)
    return out
