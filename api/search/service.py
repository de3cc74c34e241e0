"""Search over passages and footnotes: what the routes call, and how its parts fit.

A page of hits comes one of three ways, chosen here: sorted and scored by the engine
(``api.search.hits``), the common case; ranked here when the query has too many matches
for the engine to rank quickly (``api.search.approximate``), and the response says so; or,
inside one document on an engine that would weigh the words for every row, scored here in
full. Whichever way, a hit is shown the same: its snippet and match offsets
(``api.search.snippets``) and its links. Facets (``api.search.facets``) count every hit,
not a page, and are asked for separately.

The routes import this module alone, so that the split of the work behind it can change
without them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from api.records.offsets import CODEPOINTS, OffsetUnit, Utf16Map, full_text_maps
from api.search.approximate import approximate_page, approximation, in_document
from api.search.backends import SearchBackend
from api.search.facets import FACETS, facets
from api.search.filters import Scope, SearchFilters, Sort
from api.search.hits import ShownHit, engine_page, hit_rows, texts
from api.search.query import Node
from api.search.ranking import COMMON_WORD, RANK_LIMIT
from api.search.schemas import MatchSpan, SearchHit
from api.search.snippets import find_matches, make_snippet

__all__ = [
    "FACETS",
    "Ranking",
    "Scope",
    "SearchFilters",
    "SearchPage",
    "Sort",
    "facets",
    "search",
]

Ranking = Literal["exact", "approximate"]


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
    offsets: OffsetUnit = CODEPOINTS,
) -> SearchPage:
    """One page of hits, ``base`` prefixing their links, offsets counted in ``offsets``."""
    matches = None
    ranking: Ranking = "approximate"
    if backend.weighs_every_match and filters.document is not None:
        matches = in_document(session, backend, query, scope, filters, sort, offset, limit)
        ranking = "approximate" if sort == "relevance" else "exact"
    elif sort == "relevance":
        ranked = approximation(
            session,
            backend,
            query,
            scope,
            filters,
            rank_limit=rank_limit,
            common_word=common_word,
        )
        if ranked is not None:
            matches = approximate_page(session, backend, query, filters, ranked, offset, limit)
    if matches is not None:
        rows = hit_rows(session, matches[:limit])
        utf16 = _maps(session, rows, offsets)
        items = [
            _hit(row, row.text, row.norm_text, match.score, query, base, utf16)
            for row, match in zip(rows, matches, strict=False)
        ]
        return SearchPage(items, len(matches) > limit, ranking)
    found = engine_page(session, backend, query, scope, sort, filters, offset, limit)
    page = found[:limit]
    shown = texts(session, page)
    utf16 = _maps(session, page, offsets)
    items = [
        _hit(row, *shown[(row.container, row.row_id)], float(row.score), query, base, utf16)
        for row in page
    ]
    return SearchPage(items, len(found) > limit)


def _maps(
    session: Session, rows: Sequence[ShownHit], offsets: OffsetUnit
) -> dict[str, Utf16Map] | None:
    """The UTF-16 maps of the hits' documents' full texts, when offsets count code units."""
    if offsets != "utf16":
        return None
    return full_text_maps(session, (r.document_id for r in rows))


def _hit(
    row: ShownHit,
    text: str,
    folded: str,
    score: float,
    query: Node,
    base: str,
    utf16: dict[str, Utf16Map] | None,
) -> SearchHit:
    found = find_matches(text, query, folded)
    doc = f"{base}/v1/documents/{row.document_id}"
    in_passage = row.container == "passage"
    part = "passages" if in_passage else "footnotes"
    start = row.text_start  # where the passage starts, or a note's marker stands
    full = utf16[row.document_id] if utf16 is not None else None
    own = Utf16Map(text) if full is not None else None  # the passage's or note's text
    matches: list[MatchSpan] = []
    for m_start, m_end in found:
        in_full = (start + m_start, start + m_end) if in_passage and start is not None else None
        if full and in_full:
            in_full = (full(in_full[0]), full(in_full[1]))
        if own:
            m_start, m_end = own(m_start), own(m_end)
        matches.append(
            MatchSpan(
                start=in_full[0] if in_full else None,
                end=in_full[1] if in_full else None,
                passage_start=m_start,
                passage_end=m_end,
            )
        )
    return SearchHit(
        document=row.document_id,
        title=row.title,
        date=row.date,
        source_type=row.source_type,
        collection=row.collection_id,
        container=row.container,
        passage=row.ref if in_passage else None,
        footnote=None if in_passage else row.ref,
        kind=row.kind,
        score=round(score, 6),
        start=full.optional(start) if full else start,
        matches=matches,
        snippet=make_snippet(text, found, utf16=full is not None),
        links={"document": doc, row.container: f"{doc}/{part}/{row.ref}"},
    )
