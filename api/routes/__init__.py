"""One router per resource, collected here so main.py mounts them in one place."""

from fastapi import APIRouter

from api.routes import (
    annotations,
    citations,
    collections,
    crossrefs,
    document_links,
    documents,
    dumps,
    entities,
    events,
    graph,
    health,
    search,
    texts,
)

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
