"""The write API: documents, passages, footnotes, mentions, entities, events and
cross-references; revisions and reverts.

Writes need an API key (``Authorization: Bearer <key>``) with the ``curate`` scope; hard
deletes, restores and reverts need ``admin``. PATCH and DELETE need ``If-Match`` with the
ETag last read (428 without it, 412 when it is stale). Each write is one transaction and
records a revision (api/curation/revisions.py).
"""

from fastapi import APIRouter

from api.curation.routes import crossrefs, documents, mentions, registry, revisions

router = APIRouter(prefix="/v1")  # each module tags its routes by the resource they write
for module in (documents, mentions, registry, crossrefs, revisions):
    router.include_router(module.router)
