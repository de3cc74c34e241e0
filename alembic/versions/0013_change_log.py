"""The change log: creates, updates and deletes of documents, entities and events, in order.

What OAI-PMH harvesting, the change feed and mirrors follow. Existing documents, entities and
events enter it as created, at the time they were last updated, in that order, so a harvest
from the beginning finds everything; documents deleted before (tombstones) as deleted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("resource_id", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("uq_change_seq", "change", ["seq"], unique=True)
    op.create_index("ix_change_resource", "change", ["kind", "resource_id", "seq"])
    op.create_index("ix_change_at", "change", ["at", "seq"])
    # What is there already: one create per resource (a delete for a tombstone), oldest first
    op.execute(
        """
        INSERT INTO change (seq, kind, resource_id, operation, at)
        SELECT ROW_NUMBER() OVER (ORDER BY at, kind, resource_id), kind, resource_id,
               operation, at
        FROM (
            SELECT 'documents' AS kind, id AS resource_id,
                   CASE WHEN deleted_at IS NULL THEN 'create' ELSE 'delete' END AS operation,
                   COALESCE(deleted_at, updated_at) AS at
            FROM document
            UNION ALL
            SELECT CASE WHEN type = 'event' THEN 'events' ELSE 'entities' END, id, 'create',
                   updated_at
            FROM entity
        ) AS existing
        """
    )


def downgrade() -> None:
    op.drop_index("ix_change_at", table_name="change")
    op.drop_index("ix_change_resource", table_name="change")
    op.drop_index("uq_change_seq", table_name="change")
    op.drop_table("change")
