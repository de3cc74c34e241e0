"""People, places, organizations, groups, terms and events: the things sources name.

Events are entities too (type ``event``) so that one alias registry and one mention table
serve both; the ``event`` table adds what only events have (dates, place, participants).
"""

import datetime as dt

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.db.models.base import timestamp_field


class Entity(SQLModel, table=True):
    __table_args__ = (Index("ix_entity_type_name", "type", "name", "id"),)

    id: str = Field(primary_key=True, max_length=200)
    type: str = Field(max_length=20, description="person, place, organization, group, term, event")
    name: str = Field(max_length=500, index=True)
    description: str | None = Field(default=None, sa_column=Column(Text))
    date: str | None = Field(default=None, max_length=100, description="EDTF, as curated")
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    external_ids: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    members: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    revision: int = Field(default=1)
    created_at: dt.datetime = timestamp_field()
    updated_at: dt.datetime = timestamp_field()


class EntityAlias(SQLModel, table=True):
    """A written form of an entity. ``key`` (lower-cased) is unique: one alias, one entity."""

    __tablename__ = "entity_alias"
    __table_args__ = (UniqueConstraint("key", name="uq_entity_alias_key"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(foreign_key="entity.id", ondelete="CASCADE", max_length=200, index=True)
    text: str = Field(max_length=500)
    key: str = Field(max_length=500)
    case_sensitive: bool = Field(default=False)


class Event(SQLModel, table=True):
    id: str = Field(primary_key=True, foreign_key="entity.id", ondelete="CASCADE", max_length=200)
    event_type: str = Field(max_length=50, index=True)
    place_id: str | None = Field(
        default=None, foreign_key="entity.id", ondelete="SET NULL", max_length=200, index=True
    )


class EventParticipant(SQLModel, table=True):
    __tablename__ = "event_participant"
    __table_args__ = (UniqueConstraint("event_id", "entity_id", "role", name="uq_participant"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="event.id", ondelete="CASCADE", max_length=200, index=True)
    entity_id: str = Field(foreign_key="entity.id", ondelete="CASCADE", max_length=200, index=True)
    role: str = Field(default="participant", max_length=200)


class EventReport(SQLModel, table=True):
    """A document (and passage) that reports an event."""

    __tablename__ = "event_report"
    __table_args__ = (
        UniqueConstraint("event_id", "document_id", "passage_ref", name="uq_event_report"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="event.id", ondelete="CASCADE", max_length=200, index=True)
    document_id: str = Field(
        foreign_key="document.id", ondelete="CASCADE", max_length=200, index=True
    )
    passage_ref: str | None = Field(default=None, max_length=200)
