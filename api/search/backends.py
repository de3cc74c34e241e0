"""One search interface, two engines.

A backend knows four things about its engine: how to join a table to its full-text index,
how to say "matches this query", how to score a match, and which column walks the matches in
index order (so that "the first N matches" stops after N). Everything else — filters,
facets, snippets, pagination — is shared (``api.search.hits`` and the modules around it) and
behaves the same on both.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, column, func, literal, literal_column, table
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause

from api.search.query import Node, to_fts5, to_tsquery


@dataclass(frozen=True)
class Clause:
    index: TableClause | None  # a separate index table to join on ``index.rowid = <table>.id``
    match: ColumnElement[bool]
    score: ColumnElement[Any]
    rowid: ColumnElement[Any]  # the matches' order in the index: ORDER BY it with a LIMIT is cheap


class SearchBackend(Protocol):
    name: str
    # True when scoring even one match costs a pass over every row holding each query word
    # (FTS5's BM25 counts them to weigh the words): such queries are ranked approximately.
    weighs_every_match: bool

    def clause(self, table_name: str, query: Node) -> Clause:
        """How ``table_name`` ("passage" or "footnote") is matched and scored for ``query``."""
        ...


class SqliteFts5:
    """FTS5 external-content tables ``fts_passage``/``fts_footnote``; BM25 for relevance."""

    name = "sqlite-fts5"
    weighs_every_match = True

    def clause(self, table_name: str, query: Node) -> Clause:
        fts = f"fts_{table_name}"
        # An anonymous bound parameter, so that one statement can hold several MATCHes.
        match = literal_column(fts).op("MATCH")(literal(to_fts5(query)))
        index = table(fts, column("rowid"))
        # bm25() is lower-is-better; negate so that every backend's score grows with relevance.
        return Clause(
            index=index,
            match=match,
            score=-func.bm25(literal_column(fts)),
            rowid=index.c.rowid,  # FTS5 yields matches in rowid order and honours rowid bounds
        )


class PostgresTsvector:
    """Generated ``search_vector`` columns with GIN indexes; ts_rank_cd for relevance."""

    name = "postgresql-tsvector"
    weighs_every_match = False  # ts_rank_cd looks at one row only

    def clause(self, table_name: str, query: Node) -> Clause:
        tsquery = func.to_tsquery(literal("simple", REGCONFIG), literal(to_tsquery(query)))
        vector: ColumnElement[Any] = literal_column(f"{table_name}.search_vector")
        return Clause(
            index=None,
            match=vector.op("@@")(tsquery),
            score=func.ts_rank_cd(vector, tsquery),
            rowid=literal_column(f"{table_name}.id"),  # the primary key: a B-tree walk in order
        )


def backend_for(bind: Engine | Connection) -> SearchBackend:
    return SqliteFts5() if bind.dialect.name == "sqlite" else PostgresTsvector()
