"""An upload being imported: status and progress, readable from any worker process."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: str = Field(primary_key=True, max_length=32)
    key_name: str = Field(max_length=100)
    filename: str = Field(max_length=300)
    format: str | None = Field(default=None, max_length=20)
    status: str = Field(max_length=10, description="queued, running, done, failed")
    documents_done: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: dt.datetime = timestamp_field()
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
