"""Inserts through the driver's own ``executemany``, for the loader's plain rows.

An import writes thousands of documents, each with dozens of passages, notes and pages.
SQLAlchemy's per-row parameter processing would cost it more than the inserts themselves,
and these tables hold no value that needs converting for the driver; so each statement is
compiled once per dialect and table, and the rows go to the driver as they are.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, ScalarSelect, bindparam, insert, select
from sqlmodel import SQLModel, col

from api.db.models import Footnote, Passage
from api.records.rows import FOOTNOTE_ANCHOR


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: bool
    names: tuple[str, ...]
    reorder: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None  # None: rows are in order


_COMPILED: dict[tuple[str, str, tuple[str, ...]], _Compiled] = {}


def _statement(
    connection: Connection, model: type[SQLModel], columns: tuple[str, ...]
) -> _Compiled:
    """The INSERT for rows of ``columns``, compiled once per dialect.

    A note's passage id is looked up by the statement itself, from the passage's document
    and ref (a unique index), so notes need no round trip for the ids of their passages.
    """
    key = (connection.dialect.name, model.__name__, columns)
    compiled = _COMPILED.get(key)
    if compiled is None:
        statement = insert(model)
        if model is Footnote:
            statement = statement.values(
                passage_id=anchor_id(Passage, "anchor_document", "anchor_ref")
            )
        names = tuple(c for c in columns if c not in FOOTNOTE_ANCHOR)
        result = statement.compile(dialect=connection.dialect, column_keys=list(names))
        order = tuple(result.positiontup or ()) if result.positional else columns
        reorder = None
        if order != columns:
            index = {name: i for i, name in enumerate(columns)}
            reorder = operator.itemgetter(*(index[name] for name in order))
        compiled = _COMPILED[key] = _Compiled(str(result), result.positional, columns, reorder)
    return compiled


def executemany(
    connection: Connection,
    model: type[SQLModel],
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
) -> None:
    """Insert plain rows (text, numbers, booleans), in the order of ``columns``."""
    if not rows:
        return
    compiled = _statement(connection, model, columns)
    if not compiled.positional:
        params: list[Any] = [dict(zip(compiled.names, row, strict=True)) for row in rows]
    elif compiled.reorder is not None:
        params = list(map(compiled.reorder, rows))
    else:
        params = rows
    connection.exec_driver_sql(compiled.sql, params)


def anchor_id(model: type[Passage] | type[Footnote], document: str, ref: str) -> ScalarSelect[Any]:
    """The id of a passage or note, by its document and ref, looked up by the statement.

    Rows that name their anchor by ref need no round trip for the ids of rows written in
    the same batch.
    """
    return (
        select(col(model.id))
        .where(col(model.document_id) == bindparam(document), col(model.ref) == bindparam(ref))
        .scalar_subquery()
    )
