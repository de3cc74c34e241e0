"""One source, with its metadata, its full text and the identifiers it is known by.

The full text is stored once on the document; passages, footnotes and page markers point
into it by code-point offsets, so highlighting and citation never drift from what is served.
EDTF dates are kept as written and also as a [date_start, date_end] range so that date
filters and sorting run in SQL on both databases.
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Select, Text, UniqueConstraint, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, SQLModel, col

from api.db.models.base import timestamp_field


class Document(SQLModel, table=True):
    __table_args__ = (
        Index("ix_document_collection_date", "collection_id", "date_start", "id"),
        Index("ix_document_date", "date_start", "id"),
        Index("ix_document_title", "title", "id"),
    )

    id: str = Field(primary_key=True, max_length=200)
    collection_id: str = Field(foreign_key="collection.id", max_length=120, index=True)
    title: str = Field(max_length=1000)
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    date: str | None = Field(default=None, max_length=100, description="EDTF date as written")
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    source_type: str = Field(max_length=20, index=True)
    genre: str | None = Field(default=None, max_length=100, index=True)
    language: str = Field(default="en", max_length=35)
    number: str | None = Field(default=None, max_length=100)
    provenance: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    checksum: str = Field(max_length=80)
    fingerprint: str = Field(
        default="", max_length=80, description="hash of the whole record, to skip unchanged imports"
    )
    parts_fingerprint: str | None = Field(
        default=None,
        max_length=64,
        description="hash of its passages, notes, pages, identifiers, curated mentions and "
        "references: unchanged, an edit rewrites the document row alone",
    )
    revision: int = Field(default=1)
    created_at: dt.datetime = timestamp_field()
    updated_at: dt.datetime = timestamp_field()
    deleted_at: dt.datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        description="set when the document is deleted (a tombstone: 410 Gone, restorable)",
    )


class DocumentIdentifier(SQLModel, table=True):
    """An identifier a source is cited by elsewhere: a file number, a telegram number, a URL.

    ``normalized`` folds dash variants, case and spacing so that ``740.62114/9–2744`` in a
    footnote finds ``740.62114/9-2744`` in another source's metadata.
    """

    __tablename__ = "document_identifier"
    __table_args__ = (
        UniqueConstraint("document_id", "scheme", "value", name="uq_document_identifier"),
        Index("ix_document_identifier_lookup", "scheme", "normalized"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(
        foreign_key="document.id", ondelete="CASCADE", max_length=200, index=True
    )
    scheme: str = Field(max_length=50)
    value: str = Field(max_length=500)
    normalized: str = Field(max_length=500)


def is_live() -> ColumnElement[bool]:
    """Not deleted: a tombstone answers 410 and is left out of every list, search and link."""
    return col(Document.deleted_at).is_(None)


def live_document_ids() -> Select[str]:
    """The ids of the documents that are not deleted, for ``<column>.in_(...)`` filters."""
    return select(col(Document.id)).where(is_live())
