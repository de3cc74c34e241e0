"""Import jobs as a queue in the database, so any worker process or replica can run one.

An upload used to wait in a temporary folder of the process that accepted it, imported by a
thread of that process: when the process died, the job stayed "running" and the file was
gone. Now the file waits in ``import_upload`` until its job ends, the job row says what the
import runs with (``options``) and who claimed it (``worker``, ``lease``, ``heartbeat_at``,
``attempts``, ``started_at``), and an index on (status, created_at) keeps finding the oldest
queued job cheap however many finished jobs the table holds.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column[Any]]:
    """New Column objects on every call: one is bound to the table it is added to."""
    return [
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        # existing jobs were claimed by nobody the queue knows of
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    ]


INDEX = ("ix_import_job_status_created", "import_job", ["status", "created_at"])


# Plain ADD/DROP COLUMN, not a batch (see 0008): both engines add and drop these in place.
def upgrade() -> None:
    for column in _columns():
        op.add_column("import_job", column)
    name, table, columns = INDEX
    op.create_index(name, table, columns)
    op.create_table(
        "import_upload",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["import_job.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )


def downgrade() -> None:
    op.drop_table("import_upload")
    name, table, _ = INDEX
    op.drop_index(name, table_name=table)
    for column in reversed(_columns()):
        op.drop_column("import_job", column.name)
