"""An ordered, citable unit of a document's text."""

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Passage(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("document_id", "ref", name="uq_passage_ref"),
        UniqueConstraint("document_id", "seq", name="uq_passage_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", max_length=200)
    seq: int
    ref: str = Field(max_length=200)
    kind: str = Field(max_length=30)
    boilerplate: bool = Field(default=False)
    section_ref: str | None = Field(default=None, max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    norm_text: str = Field(
        default="",
        sa_column=Column(Text, nullable=False, server_default=""),
        description="the text folded for search (api.search.normalize.fold), same length",
    )
    start_offset: int
    end_offset: int
    page: str | None = Field(default=None, max_length=50)
