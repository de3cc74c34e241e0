"""A directed link from one source to another, or to an identifier not in the corpus yet.

The source anchor is a document, optionally narrowed to a passage or footnote and to a span
in it. The target is a document (optionally a passage or footnote) once resolved; until
then the target identifier (scheme + value, and its normalized key) waits, and loading a
document with that identifier resolves it.
"""

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class CrossReference(SQLModel, table=True):
    __tablename__ = "cross_reference"
    __table_args__ = (
        Index("ix_xref_source", "source_document_id", "relation"),
        Index("ix_xref_target", "target_document_id", "relation"),
        Index("ix_xref_unresolved", "target_scheme", "target_key"),
        # a passage's or note's delete finds the references that stand in it
        Index("ix_xref_source_passage", "source_passage_id"),
        Index("ix_xref_source_footnote", "source_footnote_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    relation: str = Field(
        max_length=20, description="cites, replies_to, quotes, same_event, see_also"
    )
    origin: str = Field(max_length=10, description="curated, detected or inferred")
    source_document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", max_length=200)
    source_passage_id: int | None = Field(
        default=None, foreign_key="passage.id", ondelete="CASCADE"
    )
    source_footnote_id: int | None = Field(
        default=None, foreign_key="footnote.id", ondelete="CASCADE"
    )
    source_start: int | None = None
    source_end: int | None = None
    target_document_id: str | None = Field(
        default=None, foreign_key="document.id", ondelete="SET NULL", max_length=200
    )
    target_passage_ref: str | None = Field(default=None, max_length=200)
    target_footnote_ref: str | None = Field(default=None, max_length=200)
    target_scheme: str | None = Field(default=None, max_length=50)
    target_value: str | None = Field(default=None, max_length=500)
    target_key: str | None = Field(default=None, max_length=500)
    target_label: str | None = Field(default=None, max_length=1000)
    score: float | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
    created_at: dt.datetime = timestamp_field()
