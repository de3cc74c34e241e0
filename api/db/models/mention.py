"""An entity named in a passage or a footnote, at exact code-point offsets.

``start``/``end`` are offsets into the container's text (the passage or the note); for a
passage the API adds the passage's own start to give offsets into the full text. Status
``auto`` comes from the alias matcher and is recomputed on every run; ``curated`` and
``rejected`` are a curator's decisions and survive every run.
"""

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field

# What readers are shown; rejected mentions only when they ask for them.
VISIBLE = ("auto", "curated")


class Mention(SQLModel, table=True):
    __table_args__ = (
        Index("ix_mention_document", "document_id", "status"),
        Index("ix_mention_entity", "entity_id", "status", "document_id"),
        Index("ix_mention_passage", "passage_id"),
        Index("ix_mention_footnote", "footnote_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", ondelete="CASCADE", max_length=200)
    passage_id: int | None = Field(default=None, foreign_key="passage.id", ondelete="CASCADE")
    footnote_id: int | None = Field(default=None, foreign_key="footnote.id", ondelete="CASCADE")
    entity_id: str = Field(foreign_key="entity.id", ondelete="CASCADE", max_length=200)
    start: int
    end: int
    surface: str = Field(max_length=500)
    status: str = Field(default="auto", max_length=10, description="auto, curated, rejected")
    created_at: dt.datetime = timestamp_field()


class DocumentEntity(SQLModel, table=True):
    """Which entities a document names (its mentions, rejected ones aside), once each.

    Derived from ``mention`` by the linker, never edited: inferred links are computed from
    these sets, and a write that recomputes one document's links reads the few documents it
    shares entities with from here instead of every mention in the corpus.
    """

    __tablename__ = "document_entity"
    __table_args__ = (Index("ix_document_entity_entity", "entity_id", "document_id"),)

    document_id: str = Field(
        foreign_key="document.id", ondelete="CASCADE", primary_key=True, max_length=200
    )
    entity_id: str = Field(
        foreign_key="entity.id", ondelete="CASCADE", primary_key=True, max_length=200
    )
