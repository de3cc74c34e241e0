"""Ranking here, instead of by the engine, the queries the engine cannot rank quickly.

``api.search.ranking`` holds the formula and the estimates; this module holds the SQL around
them: whether a query is too common for the engine (decided from the index before fetching
anything when that is cheap), which matches to rank, and how the pages after the ranked
ones continue in index order so that paging still reaches every hit exactly once. It also
ranks the hits inside one document on an engine that would weigh the query's words again
for every row.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func, literal, select, union_all
from sqlmodel import Session, col

from api.search.backends import SearchBackend
from api.search.filters import Scope, SearchFilters, Sort, document_conditions
from api.search.hits import Match, container_matches, containers, model
from api.search.query import Node, Term, positive_terms
from api.search.ranking import (
    FREQUENCY_SAMPLE,
    Bm25,
    Candidate,
    estimate_frequency,
    upper_bound,
)


class IndexedCandidate(Candidate, Protocol):
    """A match to rank, with the row id that orders the matches in the index."""

    row_id: int


@dataclass(frozen=True)
class _Arm:
    """One container's part of an approximate ranking."""

    container: str
    scorer: Bm25
    cut: int | None  # the last ranked match, when the container has more matches after it


@dataclass
class Approximation:
    """A query's first matches ranked here, and where each container's rest begins."""

    arms: list[_Arm]
    # (-score, document, seq, container, row id), best first: plain tuples, as there may be
    # thousands; the page's become Match.
    ranked: list[tuple[float, str, int, str, int]] = field(default_factory=list)


def _frequencies(
    session: Session,
    backend: SearchBackend,
    container: str,
    query: Node,
    candidates: Sequence[IndexedCandidate] | None = None,
    truncated: bool = False,
) -> tuple[dict[Term, int], int]:
    """Rows of ``container`` holding each positive term of ``query`` (estimated), and rows.

    One statement: the ends of the id range, then for each term the count and last id of
    its first FREQUENCY_SAMPLE matches. A query of one term whose first matches are in hand
    (``candidates``, ``truncated`` when there are more) is estimated from them instead.
    """
    table = model(container)
    terms = list(dict.fromkeys(positive_terms(query)))
    if candidates is not None and len(terms) != 1:
        candidates = None
    # Two scalar subqueries: SQLite answers min() or max() alone from the B-tree's ends, but
    # scans the table for both in one SELECT.
    parts = [
        select(
            literal(-1),
            select(func.min(col(table.id))).scalar_subquery(),
            select(func.max(col(table.id))).scalar_subquery(),
        )
    ]
    for number, term in enumerate(terms if candidates is None else []):
        clause = backend.clause(container, term)
        ids = (
            select(clause.rowid.label("id"))
            .select_from(clause.index if clause.index is not None else table)
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


def approximation(
    session: Session,
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    *,
    rank_limit: int,
    common_word: int,
) -> Approximation | None:
    """The ranking of a query too common for the engine to rank, or None to let it rank.

    The question is answered from the index alone, cheaply: how many rows hold each word
    (estimated), hence at most how many rows match. When that bound is over ``rank_limit``,
    or a word is very common on an engine that reads every match of every word to weigh it,
    the first ``rank_limit`` matches are fetched and ranked here. If there turn out to be
    fewer (a NOT or a phrase can match far fewer rows than its words), they are all ranked
    here all the same: asking the engine would mean finding them a second time.
    """
    terms = positive_terms(query)
    scoped = containers(scope)
    statistics: dict[str, tuple[dict[Term, int], int]] = {}
    # One word (or phrase, or prefix) and no filter on documents: its first matches say all
    # there is to know — more than rank_limit of them, or few enough that the engine weighs
    # the word in no time. Otherwise, on FTS5, estimating the words' frequencies is cheap
    # and past a very common word the engine's ranking is slow however few rows match:
    # decide before fetching anything.
    single = len(set(terms)) == 1 and not document_conditions(filters)
    if backend.weighs_every_match and not single:
        common = large = False
        for container in scoped:
            frequency, rows = _frequencies(session, backend, container, query)
            statistics[container] = (frequency, rows)
            common |= any(n > common_word for n in frequency.values())
            large |= upper_bound(query, frequency) > rank_limit
        if not (common or large):
            return None
    found: dict[str, Sequence[IndexedCandidate]] = {}
    for container in scoped:
        statement, order = container_matches(backend, query, container, filters)
        found[container] = (
            session.connection().execute(statement.order_by(order).limit(rank_limit + 1)).all()
        )
    if not statistics:
        # PostgreSQL, or one word: ranking a few matches costs little, whereas estimating a
        # frequent word's frequency on PostgreSQL walks the table. Fetch first; estimate only
        # to rank here, and from the matches in hand when the query has a single term.
        if all(len(rows) <= rank_limit for rows in found.values()):
            return None
        for container in scoped:
            candidates = found[container]
            statistics[container] = _frequencies(
                session, backend, container, query, candidates, len(candidates) > rank_limit
            )
    result = Approximation(arms=[])
    ranked: list[tuple[float, str, int, str, int]] = []
    for container, (frequency, rows) in statistics.items():
        head = found[container][:rank_limit]
        scorer = Bm25.build(terms, frequency, rows, head)
        more = len(found[container]) > rank_limit
        result.arms.append(_Arm(container, scorer, head[-1].row_id if more else None))
        scores = scorer.scores([r.norm_text for r in head])
        ranked += [
            (-score, r.document_id, r.seq, container, r.row_id)
            for r, score in zip(head, scores, strict=True)
        ]
    ranked.sort()  # best first; ties as the SQL ordering breaks them
    result.ranked = ranked
    return result


def approximate_page(
    session: Session,
    backend: SearchBackend,
    query: Node,
    filters: SearchFilters,
    approximation: Approximation,
    offset: int,
    limit: int,
) -> list[Match]:
    """``limit + 1`` matches from ``offset``: the ranked ones, then the rest in index order."""
    wanted = limit + 1
    page = [
        Match(container, row_id, document_id, seq, -negated)
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
        statement, order = container_matches(backend, query, arm.container, filters)
        rest = statement.where(order > arm.cut).order_by(order)
        found: Sequence[IndexedCandidate] = (
            session.connection().execute(rest.offset(skip).limit(wanted - len(page))).all()
        )
        if not found and skip:
            # This container's rest is shorter than the offset: skip it and go on in the next.
            skip -= session.execute(
                select(func.count()).select_from(rest.limit(skip).subquery())
            ).scalar_one()
        elif found:
            skip = 0
        scores = arm.scorer.scores([r.norm_text for r in found])
        page += [
            Match(arm.container, r.row_id, r.document_id, r.seq, score)
            for r, score in zip(found, scores, strict=True)
        ]
    return page


def in_document(
    session: Session,
    backend: SearchBackend,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> list[Match]:
    """``limit + 1`` hits in one document (find-in-document), on an engine that weighs words.

    The engine finds the document's matches by looking up its rows in the index, which is
    quick; but FTS5's BM25 would weigh the query's words again for every row looked up (for
    "the", a pass over a million rows each time). So the matches are scored here, all of
    them — a document is bounded — with estimated word frequencies, and ordered in Python.
    """
    found: list[Match] = []
    for container in containers(scope):
        frequency, rows = _frequencies(session, backend, container, query)
        statement, order = container_matches(backend, query, container, filters)
        matches: Sequence[IndexedCandidate] = (
            session.connection().execute(statement.order_by(order)).all()
        )
        scorer = Bm25.build(positive_terms(query), frequency, rows, matches)
        scores = scorer.scores([m.norm_text for m in matches])
        found += [
            Match(container, m.row_id, m.document_id, m.seq, score)
            for m, score in zip(matches, scores, strict=True)
        ]
    if sort == "relevance":
        found.sort(key=lambda m: (-m.score, m.document_id, m.seq))
    else:  # one document: by date is by position
        found.sort(key=lambda m: (m.document_id, m.seq))
    return found[offset : offset + limit + 1]
