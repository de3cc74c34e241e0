"""An ordered, citable unit of a document's text."""

from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
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
        description="the text folded for search (api.records.normalize.fold), same length",
    )
    start_offset: int
    end_offset: int
    page: str | None = Field(default=None, max_length=50)
    level: int | None = Field(default=None, description="a heading's level, 1-6")
    depth: int | None = Field(default=None, description="a list item's nesting, from 1")
    label: str | None = Field(
        default=None, max_length=20, description="a list item's number or bullet as printed"
    )
    marks: list[dict[str, Any]] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="emphasis as [{type: italic|bold, start, end}] over the passage's text",
    )
    table_cells: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="a table's cells: {rows: [[cell, …], …], header_rows: n}",
    )
