"""Full-text search over passages and footnotes.

Both engines index ``norm_text``, the folded same-length copy of the text that the loader
writes (api.records.normalize.fold). SQLite: FTS5 tables over it as external content, kept in
sync by triggers. PostgreSQL: a generated tsvector column with a GIN index. The FTS tables,
triggers, tsvector columns and indexes are written by hand here; env.py keeps autogenerate
from proposing to drop them (names start with ``fts_`` or ``search_``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("passage", "footnote")


def _backfill() -> None:
    from api.records.normalize import fold

    connection = op.get_bind()
    for table in TABLES:
        rows = connection.execute(sa.text(f"SELECT id, text FROM {table}")).all()
        for row_id, text in rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET norm_text = :n WHERE id = :i"),
                {"n": fold(text), "i": row_id},
            )


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("norm_text", sa.Text(), nullable=False, server_default=""))
    _backfill()
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            op.execute(
                f"CREATE VIRTUAL TABLE fts_{table} USING fts5("
                f"norm_text, content='{table}', content_rowid='id', "
                "tokenize='unicode61 remove_diacritics 0', detail=full)"
            )
            op.execute(
                f"CREATE TRIGGER fts_{table}_insert AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO fts_{table}(rowid, norm_text) VALUES (new.id, new.norm_text); END"
            )
            op.execute(
                f"CREATE TRIGGER fts_{table}_delete AFTER DELETE ON {table} BEGIN "
                f"INSERT INTO fts_{table}(fts_{table}, rowid, norm_text) "
                f"VALUES ('delete', old.id, old.norm_text); END"
            )
            op.execute(
                f"CREATE TRIGGER fts_{table}_update AFTER UPDATE OF norm_text ON {table} BEGIN "
                f"INSERT INTO fts_{table}(fts_{table}, rowid, norm_text) "
                f"VALUES ('delete', old.id, old.norm_text); "
                f"INSERT INTO fts_{table}(rowid, norm_text) VALUES (new.id, new.norm_text); END"
            )
            op.execute(f"INSERT INTO fts_{table}(fts_{table}) VALUES ('rebuild')")
    else:
        for table in TABLES:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, norm_text)) STORED"
            )
            op.execute(f"CREATE INDEX search_{table}_gin ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS fts_{table}_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS fts_{table}")
    else:
        for table in TABLES:
            op.execute(f"DROP INDEX IF EXISTS search_{table}_gin")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
    for table in TABLES:
        # Not batch mode: recreating the table on SQLite would cascade-delete its children.
        op.drop_column(table, "norm_text")
