"""API keys: only a salted hash is stored; the key itself is shown once, at creation."""

import datetime as dt

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    prefix: str = Field(max_length=16, unique=True, description="public part, for lookup")
    salt: str = Field(max_length=64)
    hash: str = Field(max_length=128)
    scope: str = Field(max_length=10, description="read, curate or admin")
    created_at: dt.datetime = timestamp_field()
    revoked_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
