"""Passage structure: heading level, list depth and label, emphasis marks, table cells.

Markdown and TEI print more than text: a heading's level, a list item's number and nesting,
italics and bold that set an editor's words apart, tables. The reader keeps them; these
columns hold them, all nullable, so passages read before this revision stay as they were.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = (
    ("level", sa.Integer()),
    ("depth", sa.Integer()),
    ("label", sa.String(length=20)),
    ("marks", sa.JSON()),
    ("table_cells", sa.JSON()),
)


# Plain ADD/DROP COLUMN, not a batch: a batch would rebuild the table on SQLite and drop the
# search index's triggers on it (both engines add and drop nullable columns in place).
def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("passage", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for name, _type in reversed(COLUMNS):
        op.drop_column("passage", name)
