"""A bounded network around a document or an entity, for a frontend's graph view.

Documents connect to the entities they name (edge weight: number of mentions) and to the
documents they cross-reference (weight: the inferred score, or 1). The walk is breadth
first, strongest edges first, and stops adding nodes at the limit, saying so.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlmodel import Session, col

from api.db.models import CrossReference, Document, Entity, Mention
from api.db.models.document import live_document_ids
from api.db.models.mention import VISIBLE
from api.errors import NotFound, ProblemError
from api.graph.schemas import Graph, GraphEdge, GraphNode


def _split(center: str, session: Session) -> tuple[str, str]:
    kind, _, key = center.partition(":")
    if key and kind in ("document", "entity"):
        return kind, key
    if session.get(Document, center) is not None:
        return "document", center
    if session.get(Entity, center) is not None:
        return "entity", center
    raise NotFound("document or entity", center)


def _entity_edges(session: Session, document_ids: list[str]) -> Sequence[Row[Any]]:
    return session.execute(
        select(col(Mention.document_id), col(Mention.entity_id), func.count().label("n"))
        .where(
            col(Mention.document_id).in_(document_ids),
            col(Mention.status).in_(VISIBLE),
            col(Mention.document_id).in_(live_document_ids()),
        )
        .group_by(col(Mention.document_id), col(Mention.entity_id))
    ).all()


def _document_edges_of_entities(session: Session, entity_ids: list[str]) -> Sequence[Row[Any]]:
    return session.execute(
        select(col(Mention.document_id), col(Mention.entity_id), func.count().label("n"))
        .where(
            col(Mention.entity_id).in_(entity_ids),
            col(Mention.status).in_(VISIBLE),
            col(Mention.document_id).in_(live_document_ids()),
        )
        .group_by(col(Mention.document_id), col(Mention.entity_id))
    ).all()


def _reference_edges(session: Session, document_ids: list[str]) -> Sequence[Row[Any]]:
    return session.execute(
        select(
            col(CrossReference.source_document_id),
            col(CrossReference.target_document_id),
            col(CrossReference.relation),
            col(CrossReference.origin),
            col(CrossReference.score),
        ).where(
            col(CrossReference.target_document_id).in_(live_document_ids()),
            col(CrossReference.source_document_id).in_(live_document_ids()),
            col(CrossReference.source_document_id).in_(document_ids)
            | col(CrossReference.target_document_id).in_(document_ids),
        )
    ).all()


def build_graph(session: Session, *, center: str, depth: int, limit: int) -> Graph:
    kind, key = _split(center, session)
    model = Document if kind == "document" else Entity
    if session.get(model, key) is None:
        raise NotFound(kind, key)
    if depth not in (1, 2):
        raise ProblemError(422, "depth must be 1 or 2")
    root = f"{kind}:{key}"
    depths: dict[str, int] = {root: 0}
    edges: dict[tuple[str, str, str], GraphEdge] = {}
    truncated = False
    frontier = [root]
    for level in range(1, depth + 1):
        docs = [n.split(":", 1)[1] for n in frontier if n.startswith("document:")]
        ents = [n.split(":", 1)[1] for n in frontier if n.startswith("entity:")]
        found: list[tuple[float, str, GraphEdge]] = []
        if docs:
            for r in _entity_edges(session, docs):
                edge = GraphEdge(
                    source=f"document:{r.document_id}",
                    target=f"entity:{r.entity_id}",
                    kind="mentions",
                    weight=r.n,
                )
                found.append((r.n, edge.target, edge))
            for r in _reference_edges(session, docs):
                edge = GraphEdge(
                    source=f"document:{r.source_document_id}",
                    target=f"document:{r.target_document_id}",
                    kind=r.relation,
                    weight=r.score if r.score is not None else 1.0,
                    origin=r.origin,
                )
                other = edge.target if edge.source in frontier else edge.source
                found.append((edge.weight, other, edge))
        if ents:
            for r in _document_edges_of_entities(session, ents):
                edge = GraphEdge(
                    source=f"document:{r.document_id}",
                    target=f"entity:{r.entity_id}",
                    kind="mentions",
                    weight=r.n,
                )
                found.append((r.n, edge.source, edge))
        found.sort(key=lambda item: (-item[0], item[1]))
        next_frontier: list[str] = []
        for _, node, edge in found:
            if node not in depths:
                if len(depths) >= limit:
                    truncated = True
                    continue
                depths[node] = level
                next_frontier.append(node)
            edges[(edge.source, edge.target, edge.kind)] = edge
        frontier = next_frontier
    nodes = _describe(session, depths)
    kept = [e for e in edges.values() if e.source in depths and e.target in depths]
    kept.sort(key=lambda e: (e.source, e.target, e.kind))
    return Graph(
        center=root, depth=depth, nodes=nodes, edges=kept, truncated=truncated, limit=limit
    )


def _describe(session: Session, depths: dict[str, int]) -> list[GraphNode]:
    ids: dict[str, list[str]] = defaultdict(list)
    for node in depths:
        kind, key = node.split(":", 1)
        ids[kind].append(key)
    labels: dict[str, tuple[str, str]] = {}
    if ids["document"]:
        for r in session.execute(
            select(col(Document.id), col(Document.title), col(Document.source_type)).where(
                col(Document.id).in_(ids["document"])
            )
        ).all():
            labels[f"document:{r.id}"] = (r.source_type, r.title)
    if ids["entity"]:
        for r in session.execute(
            select(col(Entity.id), col(Entity.name), col(Entity.type)).where(
                col(Entity.id).in_(ids["entity"])
            )
        ).all():
            labels[f"entity:{r.id}"] = (r.type, r.name)
    return [
        GraphNode(
            id=node,
            kind=node.split(":", 1)[0],
            type=labels[node][0],
            label=labels[node][1],
            depth=depth,
        )
        for node, depth in sorted(depths.items(), key=lambda item: (item[1], item[0]))
        if node in labels
    ]
