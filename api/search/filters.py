"""What a search is narrowed by: its scope, its order and the filters on hits' documents.

Kept apart from the SQL that uses them because three parts of a search apply them the same
way — the hits of a page, the matches ranked approximately and the facet counts — and a
filter that meant something different in one of them would make counts disagree with hits.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement
from sqlmodel import col

from api.db.models import Document, EventReport, Mention

Scope = Literal["text", "footnotes", "all"]
Sort = Literal["relevance", "date", "position"]


@dataclass(frozen=True)
class SearchFilters:
    collection: str | None = None
    source_type: str | None = None
    genre: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    document: str | None = None
    entity: str | None = None
    event: str | None = None
    include_boilerplate: bool = False


def document_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """The filters that are properties of a hit's document (Document must be joined).

    An empty list lets a search skip joining the documents of every match: it then looks
    up the documents of one page only.
    """
    conditions: list[ColumnElement[bool]] = []
    if filters.collection is not None:
        conditions.append(col(Document.collection_id) == filters.collection)
    if filters.source_type is not None:
        conditions.append(col(Document.source_type) == filters.source_type)
    if filters.genre is not None:
        conditions.append(col(Document.genre) == filters.genre)
    if filters.date_from is not None:
        conditions.append(col(Document.date_end) >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(col(Document.date_start) <= filters.date_to)
    if filters.entity is not None:
        conditions.append(
            col(Document.id).in_(
                select(col(Mention.document_id)).where(
                    col(Mention.entity_id) == filters.entity, col(Mention.status) != "rejected"
                )
            )
        )
    if filters.event is not None:
        conditions.append(
            col(Document.id).in_(
                select(col(Mention.document_id))
                .where(col(Mention.entity_id) == filters.event, col(Mention.status) != "rejected")
                .union(
                    select(col(EventReport.document_id)).where(
                        col(EventReport.event_id) == filters.event
                    )
                )
            )
        )
    return conditions
