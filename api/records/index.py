"""The full-text index over passages and footnotes, as the writer keeps it.

Both engines index the folded text (``norm_text``, api/records/normalize.py) of every
passage and footnote: SQLite in FTS5 external-content tables kept in step by triggers,
PostgreSQL in generated ``search_vector`` columns with GIN indexes (migrations 0003 and
0007 create them). This module holds what writing needs — bulk indexing during an import
and a rebuild (``quellen reindex``); how a query is matched and scored against the index is
api/search/backends.py.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, select, text, update
from sqlmodel import col

from api.db.engine import session_scope
from api.db.models import Footnote, Passage
from api.records.normalize import fold

INDEXED = ("passage", "footnote")  # the tables with a full-text index
BATCH = 2000


class FullTextIndex(Protocol):
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


class SqliteFts5Index:
    """FTS5 external-content tables ``fts_passage``/``fts_footnote``."""

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


class PostgresTsvectorIndex:
    """Generated ``search_vector`` columns with GIN indexes."""

    def reindex(self, connection: Any) -> None:
        for name in INDEXED:
            connection.execute(text(f"REINDEX INDEX search_{name}_gin"))

    @contextmanager
    def deferred(self, connection: Any) -> Iterator[DeferredIndex]:
        """Nothing to defer: the tsvector column is computed as each row is written."""
        yield _NothingDeferred()


def index_for(engine: Engine) -> FullTextIndex:
    return SqliteFts5Index() if engine.dialect.name == "sqlite" else PostgresTsvectorIndex()


def rebuild(engine: Engine) -> dict[str, int]:
    """Refold every text, then rebuild the index from it (``quellen reindex``).

    The folded text is recomputed from the printed text first, so a change to the folding
    rules reaches every row.
    """
    counts: dict[str, int] = {}
    with session_scope(engine) as session:
        for model, name in ((Passage, "passages"), (Footnote, "footnotes")):
            changed = 0
            last = 0
            while True:
                rows = session.execute(
                    select(col(model.id), col(model.text), col(model.norm_text))
                    .where(col(model.id) > last)
                    .order_by(col(model.id))
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                for row in rows:
                    folded = fold(row.text)
                    if folded != row.norm_text:
                        session.execute(
                            update(model).where(col(model.id) == row.id).values(norm_text=folded)
                        )
                        changed += 1
                last = rows[-1].id
            counts[f"{name}_refolded"] = changed
        index_for(engine).reindex(session.connection())
    return counts
