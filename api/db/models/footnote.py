"""A note as printed, anchored where its marker stands in the running text."""

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Footnote(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("document_id", "ref", name="uq_footnote_ref"),
        UniqueConstraint("document_id", "number", name="uq_footnote_number"),
        Index("ix_footnote_passage", "passage_id"),  # a passage's delete finds its notes
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", max_length=200)
    ref: str = Field(max_length=200)
    marker: str = Field(max_length=50, description="the marker as printed, e.g. 66")
    number: int = Field(description="position in the document's note list, from 1")
    text: str = Field(sa_column=Column(Text, nullable=False))
    norm_text: str = Field(
        default="",
        sa_column=Column(Text, nullable=False, server_default=""),
        description="the text folded for search (api.records.normalize.fold), same length",
    )
    passage_id: int | None = Field(default=None, foreign_key="passage.id", ondelete="CASCADE")
    offset: int | None = Field(default=None, description="code point in the full text")
