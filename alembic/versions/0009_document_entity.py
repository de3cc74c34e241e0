"""Which entities each document names: the sets inferred links are computed from.

A write used to recompute every inferred link in the corpus from every mention. With the
sets kept here, a write reads only the documents that share a rarer entity with the one it
changed. The table is filled from the mentions already stored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_entity",
        sa.Column("document_id", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "entity_id"),
    )
    op.create_index(
        "ix_document_entity_entity", "document_entity", ["entity_id", "document_id"]
    )
    op.execute(
        "INSERT INTO document_entity (document_id, entity_id) "
        "SELECT DISTINCT document_id, entity_id FROM mention WHERE status != 'rejected'"
    )


def downgrade() -> None:
    op.drop_index("ix_document_entity_entity", table_name="document_entity")
    op.drop_table("document_entity")
