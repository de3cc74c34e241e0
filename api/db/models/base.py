"""Column helpers shared by the tables."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Table
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_field() -> Any:
    """A timezone-aware timestamp column set at insert time.

    Typed ``Any`` as sqlmodel's ``Field`` is: what it returns describes the column, and
    stands where the annotation says a ``datetime`` is.
    """
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)


def table_of(model: type[SQLModel]) -> Table:
    """The table behind a model, for Core statements that skip the ORM (bulk updates).

    SQLModel's metaclass sets ``__table__`` on every table model; its stubs do not declare it.
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table
