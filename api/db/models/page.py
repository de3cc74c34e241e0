"""A page break in the printed source, kept out of the text and placed by offset."""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class PageMarker(SQLModel, table=True):
    __tablename__ = "page_marker"
    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_page_marker_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", max_length=200)
    seq: int
    n: str = Field(max_length=50, description="the page number as printed")
    offset: int
