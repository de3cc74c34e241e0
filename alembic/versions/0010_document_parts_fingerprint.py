"""A hash of a document's parts, so that an edit of its metadata rewrites nothing else.

Every write used to delete and re-insert the passages, notes, pages, identifiers, mentions
and references of the document it touched, which changed their ids and re-indexed its
text for a corrected title. With this hash the loader sees that the parts are as stored and
updates the document row alone. Documents written before it have none and are rewritten
whole once, on their next change.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN, not a batch (see 0008): a batch would rebuild the table on SQLite.
def upgrade() -> None:
    op.add_column("document", sa.Column("parts_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("document", "parts_fingerprint")
