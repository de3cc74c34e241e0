"""Column helpers shared by the tables."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_field() -> datetime:
    """A timezone-aware timestamp column set at insert time."""
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)  # type: ignore[no-any-return]
