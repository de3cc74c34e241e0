"""One router per resource, collected here so main.py mounts them in one place."""

from fastapi import APIRouter

from api.annotations import routes as annotations
from api.changes import routes as changes
from api.citations import routes as citations
from api.collections import dumps
from api.collections import routes as collections
from api.crossrefs import routes as crossrefs
from api.documents import routes as documents
from api.entities import routes as entities
from api.events import routes as events
from api.graph import routes as graph
from api.health import routes as health
from api.mentions import routes as mentions
from api.reading import routes as reading
from api.search import routes as search
from api.texts import routes as texts

# A document's links live with what they link to, mounted where a reader of /docs expects them.
document_links = (
    entities.document_router,
    events.document_router,
    mentions.document_router,
    crossrefs.document_router,
)

v1 = APIRouter(prefix="/v1")
for module in (
    collections,
    dumps,
    documents,
    texts,
    reading,
    *document_links,
    citations,
    annotations,
    entities,
    events,
    crossrefs,
    graph,
    changes,
):
    if isinstance(module, APIRouter):
        v1.include_router(module)
    else:
        v1.include_router(module.router)

__all__ = ["health", "search", "v1"]
