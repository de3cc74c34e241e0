"""One router per resource, collected here so main.py mounts them in one place."""

from fastapi import APIRouter

from api.annotations import routes as annotations
from api.citations import routes as citations
from api.collections import dumps
from api.collections import routes as collections
from api.crossrefs import routes as crossrefs
from api.documents import links as document_links
from api.documents import routes as documents
from api.entities import routes as entities
from api.events import routes as events
from api.graph import routes as graph
from api.health import routes as health
from api.search import routes as search
from api.texts import routes as texts

v1 = APIRouter(prefix="/v1")
for module in (
    collections,
    dumps,
    documents,
    texts,
    document_links,
    citations,
    annotations,
    entities,
    events,
    crossrefs,
    graph,
):
    v1.include_router(module.router)

__all__ = ["health", "search", "v1"]
