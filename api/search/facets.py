"""Counts of a search's hits by document property, over every hit rather than one page.

Apart from the hits of a page because the cost is of another kind: a page stops after a few
sorted rows, whereas a facet must see every match (every passage of a common word).
"""

from sqlalchemy import Integer, Select, String, cast, func, literal, null, select, union_all
from sqlmodel import Session, col

from api.db.models import Document, Entity, Mention
from api.search.backends import SearchBackend
from api.search.filters import Scope, SearchFilters, document_conditions
from api.search.hits import hits_source
from api.search.query import Node
from api.search.schemas import FacetValue

FACETS = ("source_type", "genre", "collection", "year", "entity")


def facets(
    session: Session,
    backend: SearchBackend,
    *,
    query: Node,
    scope: Scope,
    filters: SearchFilters,
    wanted: list[str],
    top: int = 10,
) -> dict[str, list[FacetValue]]:
    """Counts of hits by document property, over every hit (not just one page).

    One statement for all the facets asked for: the matches are found once and counted per
    document (unscored: a facet needs no rank), and each facet sums those counts over the
    few matched documents. Finding the matches is the expensive part (every passage of a
    common word), so it is not repeated per facet.
    """
    if not wanted:
        return {}
    hits = hits_source(backend, query, scope, filters, scored=False)
    per_document = (
        select(hits.c.document_id, func.count().label("n"))
        .group_by(hits.c.document_id)
        .subquery("per_document")
    )
    matched = (
        select(
            per_document.c.document_id,
            per_document.c.n,
            col(Document.source_type),
            col(Document.genre),
            col(Document.collection_id),
            col(Document.date_start),
        )
        .join(Document, col(Document.id) == per_document.c.document_id)
        .where(*document_conditions(filters))
        .cte("matched")
    )
    columns = {
        "source_type": matched.c.source_type,
        "genre": matched.c.genre,
        "collection": matched.c.collection_id,
        "year": func.substr(cast(matched.c.date_start, String), 1, 4),
    }
    arms = []
    counted: Select[str, str, str | None, int]  # facet, value, label, count
    for name in wanted:
        if name == "entity":
            entity_count = func.count(func.distinct(col(Mention.document_id)))
            counted = (
                select(
                    literal(name).label("facet"),
                    col(Entity.id).label("value"),
                    col(Entity.name).label("label"),
                    cast(entity_count, Integer).label("n"),
                )
                .join(Mention, col(Mention.entity_id) == col(Entity.id))
                .where(
                    col(Mention.document_id).in_(select(matched.c.document_id)),
                    col(Mention.status) != "rejected",
                )
                .group_by(col(Entity.id), col(Entity.name))
                .order_by(entity_count.desc(), col(Entity.id))
            )
        else:
            key = columns[name]
            total = func.sum(matched.c.n)
            counted = (
                select(
                    literal(name).label("facet"),
                    key.label("value"),
                    cast(null(), String).label("label"),
                    cast(total, Integer).label("n"),
                )
                .where(key.is_not(None))
                .group_by(key)
                .order_by(total.desc(), key)
            )
        arm = counted.limit(top).subquery(f"facet_{name}")
        arms.append(select(arm.c.facet, arm.c.value, arm.c.label, arm.c.n))
    out: dict[str, list[FacetValue]] = {name: [] for name in wanted}
    rows = session.execute(arms[0] if len(arms) == 1 else union_all(*arms)).all()
    for row in sorted(rows, key=lambda r: (-r.n, str(r.value))):
        value = FacetValue(value=str(row.value), count=row.n)
        if row.facet == "entity":
            value = FacetValue(value=str(row.value), label=row.label, count=row.n)
        out[row.facet].append(value)
    return out
