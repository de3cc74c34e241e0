"""A partial index of tombstoned documents, for search.

Search leaves out the hits of deleted documents with ``document_id NOT IN (SELECT id FROM
document WHERE deleted_at IS NOT NULL)``, worked out once per query, rather than by reading
the document row of every match: on SQLite ``deleted_at`` is stored after the document's
full text, so reading it means walking the text's overflow pages, once per match. This index
holds only the tombstones, so the list costs next to nothing. Named ``search_…``: written by
hand, left alone by autogenerate (api.migrations.HAND_WRITTEN_PREFIXES).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = sa.text("deleted_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "search_document_tombstones",
        "document",
        ["id"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("search_document_tombstones", table_name="document")
