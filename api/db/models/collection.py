"""A named group of documents, e.g. one printed volume or one web harvest."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class Collection(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=120)
    title: str = Field(max_length=500)
    description: str | None = None
    publisher: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
