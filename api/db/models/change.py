"""The change log: every create, update and delete of a document, entity or event, in order.

Harvesters (OAI-PMH), mirrors (the change feed) and caches follow it. ``seq`` is the order in
which the changes became visible: it is given when the writing transaction commits, under a
lock (``api/records/changes.py``), so a reader that has seen change n has seen every change
before it. A row written by a transaction that has not committed yet has no ``seq``.
"""

import datetime as dt

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer
from sqlmodel import Field, SQLModel


class Change(SQLModel, table=True):
    __table_args__ = (
        Index("uq_change_seq", "seq", unique=True),
        Index("ix_change_resource", "kind", "resource_id", "seq"),
        Index("ix_change_at", "at", "seq"),
    )

    # BIGINT on PostgreSQL; on SQLite INTEGER, which is what makes it the rowid (autoincrement)
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    seq: int | None = Field(
        default=None,
        sa_type=BigInteger,
        description="1, 2, … in the order the changes committed; none until then",
    )
    kind: str = Field(max_length=20, description="documents, entities or events")
    resource_id: str = Field(max_length=200)
    operation: str = Field(max_length=10, description="create, update, delete, restore")
    at: dt.datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        description="when the change committed: the time harvesters and feeds show",
    )
