"""An upload being imported: a job in a queue any worker process or replica can take.

The row carries status and progress (readable from any worker), the options the import
runs with, and who runs it: ``worker`` names the process that claimed it, ``lease`` that
claim (a fresh id per claim, so a worker that lost the job can tell), ``heartbeat_at`` when
the worker last said it is alive. The uploaded bytes wait in ``import_upload`` until the job
ends, so a job survives the process that accepted it.
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, LargeBinary, String
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    # the claim: queued jobs, oldest first
    __table_args__ = (Index("ix_import_job_status_created", "status", "created_at"),)

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
    options: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description="format, collection, strict, dry_run, max_bytes: what the import runs with",
    )
    worker: str | None = Field(
        default=None, max_length=200, description="hostname:pid:random of who claimed it"
    )
    lease: str | None = Field(default=None, max_length=32, description="this claim's id")
    heartbeat_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    attempts: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="times a worker claimed it",
    )
    started_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ImportUpload(SQLModel, table=True):
    """The uploaded file of a job, kept until the job ends (then deleted)."""

    __tablename__ = "import_upload"

    job_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("import_job.id", ondelete="CASCADE"), primary_key=True
        )
    )
    name: str = Field(max_length=300)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
