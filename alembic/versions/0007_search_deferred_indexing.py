"""SQLite: let a bulk import fill the FTS5 index once, instead of one row at a time.

FTS5 writes its pending terms to disk as a new segment at every statement that touches it
from a trigger, so the per-row insert triggers of 0003 cost an import most of its time
(0.23 s of 0.37 s for the 481 documents of DFAT volume 8) and leave the index in
thousands of tiny segments. Now a writer may *defer* indexing inside its transaction: it
records in ``search_deferred`` the highest row id already indexed; the triggers then leave
rows above that mark alone, and before committing the writer indexes them with one
``INSERT … SELECT`` and removes its mark (``api.records.index.SqliteFts5Index.deferred``).
The invariant the triggers keep: a row is in the index exactly when no mark is set or its
id is at most the mark, so deletes and updates of rows not yet indexed do not touch the
index. The mark lives and dies in the writer's transaction; readers never see it.

PostgreSQL computes its tsvector column per row and needs none of this.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("passage", "footnote")


def _mark(table: str, row: str) -> str:
    """True when ``row`` (new or old) is within what the index holds."""
    return (
        f"{row}.id <= coalesce((SELECT after_id FROM search_deferred "
        f"WHERE table_name = '{table}'), {row}.id)"
    )


def _triggers(table: str, *, deferrable: bool) -> None:
    """(Re)create the three triggers; ``deferrable`` ones stand aside above the mark."""
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS fts_{table}_{trigger}")
    new = f"WHEN {_mark(table, 'new')} " if deferrable else ""
    old = f"WHEN {_mark(table, 'old')} " if deferrable else ""
    op.execute(
        f"CREATE TRIGGER fts_{table}_insert AFTER INSERT ON {table} {new}BEGIN "
        f"INSERT INTO fts_{table}(rowid, norm_text) VALUES (new.id, new.norm_text); END"
    )
    op.execute(
        f"CREATE TRIGGER fts_{table}_delete AFTER DELETE ON {table} {old}BEGIN "
        f"INSERT INTO fts_{table}(fts_{table}, rowid, norm_text) "
        f"VALUES ('delete', old.id, old.norm_text); END"
    )
    op.execute(
        f"CREATE TRIGGER fts_{table}_update AFTER UPDATE OF norm_text ON {table} {old}BEGIN "
        f"INSERT INTO fts_{table}(fts_{table}, rowid, norm_text) "
        f"VALUES ('delete', old.id, old.norm_text); "
        f"INSERT INTO fts_{table}(rowid, norm_text) VALUES (new.id, new.norm_text); END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE search_deferred ("
        "table_name TEXT PRIMARY KEY NOT NULL, after_id INTEGER NOT NULL)"
    )
    for table in TABLES:
        _triggers(table, deferrable=True)
        # Merge the small segments the per-row triggers left behind.
        op.execute(f"INSERT INTO fts_{table}(fts_{table}) VALUES ('optimize')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _triggers(table, deferrable=False)
    op.execute("DROP TABLE IF EXISTS search_deferred")
