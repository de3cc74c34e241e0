"""One search interface, two engines.

A backend knows four things about its engine: how to join a table to its full-text index,
how to say "matches this query", how to score a match, and which column walks the matches in
index order (so that "the first N matches" stops after N). Everything else — filters,
facets, snippets, pagination — is shared SQL in ``api.search.service`` and behaves the same
on both.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, column, func, literal, literal_column, table, text
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import TableClause

from api.search.query import Node, to_fts5, to_tsquery

INDEXED = ("passage", "footnote")  # the tables with a full-text index


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

    def reindex(self, connection: Any) -> None:
        """Rebuild the index from the tables."""
        ...

    def deferred(self, connection: Any) -> "AbstractContextManager[DeferredIndex]":
        """A context for bulk writes: the rows written in it are indexed in bulk.

        They are indexed at its end, and whenever the writer calls ``catch_up`` between
        its batches.
        """
        ...


class DeferredIndex(Protocol):
    def catch_up(self) -> None:
        """Index what was written so far in the deferred block (between batches)."""
        ...


class _NothingDeferred:
    def catch_up(self) -> None:
        pass


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
            match=match,  # type: ignore[arg-type]
            score=-func.bm25(literal_column(fts)),
            rowid=index.c.rowid,  # FTS5 yields matches in rowid order and honours rowid bounds
        )

    def reindex(self, connection: Any) -> None:
        connection.execute(text("DELETE FROM search_deferred"))
        for name in INDEXED:
            connection.execute(text(f"INSERT INTO fts_{name}(fts_{name}) VALUES ('rebuild')"))

    @contextmanager
    def deferred(self, connection: Any) -> Iterator[DeferredIndex]:
        """Leave rows written in the block out of the index, then index them in bulk.

        FTS5 writes a segment per statement that feeds it from a trigger, so a row at a time
        costs an import most of its time (migration 0007 has the figures), and so does
        catching up after every batch of 32 documents: the segments are merged again and
        again (twice the time of one statement at the end, for DFAT volume 8). Catching up
        after half a megabyte or so (``_Fts5Deferred.catch_up``) costs what one statement at the
        end costs, and leaves less for the end. The block must run inside the caller's
        transaction: its mark is never committed, and when the block raises, the caller is
        expected to roll back (which removes the mark). A block inside another one leaves
        the indexing to the outer block.
        """
        marked = []
        for name in INDEXED:
            inserted = connection.execute(
                text(
                    "INSERT INTO search_deferred (table_name, after_id) "
                    f"SELECT '{name}', coalesce(max(id), 0) FROM {name} WHERE true "
                    "ON CONFLICT (table_name) DO NOTHING"
                )
            )
            if inserted.rowcount:
                marked.append(name)
        pending = _Fts5Deferred(connection, marked)
        yield pending
        pending.catch_up()
        for name in marked:
            connection.execute(
                text("DELETE FROM search_deferred WHERE table_name = :name"), {"name": name}
            )


@dataclass
class _Fts5Deferred:
    connection: Any
    tables: list[str]

    def catch_up(self) -> None:
        """Index the rows above each mark, then raise the mark past them.

        Rows at or below the mark are the index's again: the triggers keep them in step
        when they are deleted or changed later in the block.
        """
        for name in self.tables:
            self.connection.execute(
                text(
                    f"INSERT INTO fts_{name}(rowid, norm_text) SELECT id, norm_text FROM {name} "
                    "WHERE id > (SELECT after_id FROM search_deferred "
                    f"WHERE table_name = '{name}') ORDER BY id"
                )
            )
            self.connection.execute(
                text(
                    f"UPDATE search_deferred SET after_id = (SELECT coalesce(max(id), 0) "
                    f"FROM {name}) WHERE table_name = '{name}'"
                )
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
            match=vector.op("@@")(tsquery),  # type: ignore[arg-type]
            score=func.ts_rank_cd(vector, tsquery),
            rowid=literal_column(f"{table_name}.id"),  # the primary key: a B-tree walk in order
        )

    def reindex(self, connection: Any) -> None:
        for name in INDEXED:
            connection.execute(text(f"REINDEX INDEX search_{name}_gin"))

    @contextmanager
    def deferred(self, connection: Any) -> Iterator[DeferredIndex]:
        """Nothing to defer: the tsvector column is computed as each row is written."""
        yield _NothingDeferred()


def backend_for(engine: Engine) -> SearchBackend:
    return SqliteFts5() if engine.dialect.name == "sqlite" else PostgresTsvector()
