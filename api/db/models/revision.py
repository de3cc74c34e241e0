"""Every write, with who made it and the resource before and after: history and undo."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class Revision(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("kind", "resource_id", "number", name="uq_revision_number"),
        Index("ix_revision_resource", "kind", "resource_id", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, description="documents, entities, events, mentions, …")
    resource_id: str = Field(max_length=200)
    number: int = Field(description="1, 2, … per resource")
    operation: str = Field(max_length=20, description="create, update, delete, restore, revert")
    key_name: str = Field(max_length=100, description="name of the API key that wrote it")
    at: dt.datetime = timestamp_field()
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
