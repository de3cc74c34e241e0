"""The FastAPI application: routers, error handling, middleware and offline API docs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware

from api import __version__
from api.curation import routes as curation
from api.db.engine import make_engine, snapshot_engine
from api.db.migrations import head_revision
from api.db.replicas import ReplicaSet
from api.dts import routes as dts
from api.health import routes as health
from api.home import routes as home
from api.http import docs, observability, problems
from api.http.auth import read_access
from api.http.bulkhead import Bulkhead
from api.http.downloads import DownloadMiddleware
from api.http.etag import ETagMiddleware, cache_control
from api.http.failures import FailureMiddleware
from api.http.head import HeadMiddleware
from api.http.limits import BodyLimitMiddleware, RateLimitMiddleware, SecurityHeadersMiddleware
from api.http.nulbytes import NulRefusalMiddleware
from api.http.openapi import complete_responses
from api.http.openapi_clients import shape_for_clients
from api.http.options import OptionsMiddleware, ProblemCORSMiddleware
from api.http.query import refuse_unknown_query
from api.http.replicas import (
    CONSISTENCY_HEADER,
    ConsistencyTokenMiddleware,
    ReplicaMiddleware,
    read_target,
)
from api.imports import routes as imports
from api.imports.worker import JobWorker
from api.keys import routes as keys
from api.oai import routes as oai
from api.reader import routes as reader
from api.reconcile import routes as reconcile
from api.routers import v1
from api.search import routes as search
from api.settings import Settings, get_settings

DESCRIPTION = """
Quellen serves curated historical source records: documents as printed, their passages,
footnotes and page breaks, with stable ids and exact character offsets.

* **Errors** are RFC 9457 `application/problem+json` with a human `detail`.
* **Lists** use keyset pagination: follow `next` (or the `Link: rel="next"` header).
* **Caching**: every GET carries an `ETag`; send `If-None-Match` to get `304 Not Modified`.
* **Offsets** (`start`, `end`) are Unicode code points into a document's full text
  (`/text?view=full`); offsets into a passage are `passage_start`/`passage_end`.
  `?offsets=utf16` counts UTF-16 code units instead, as JavaScript strings do.
* **Links** (`self`, `next`, `Link`, `Location`) are absolute URLs.
* **Downloads**: `?format=csv|tei|jsonld|bibtex|…` answers that representation as an
  attachment, an alternative to `Accept`.
* **Keys**: writes take `Authorization: Bearer <key>` (the Authorize button below).
* **Read-your-writes**: a write's `Quellen-Consistency` response header, sent back on a
  read, makes that read see the write where reads are served by database replicas.
"""

TAGS = [
    {"name": "start", "description": "Where to start: the entry points and what they link to."},
    {"name": "collections", "description": "Named groups of documents (a volume, a harvest)."},
    {"name": "documents", "description": "Sources and their metadata."},
    {"name": "texts", "description": "A document's text, passages, footnotes and pages."},
    {"name": "entities", "description": "People, places, organizations, groups, terms."},
    {"name": "events", "description": "What happened when: a timeline of events."},
    {"name": "cross-references", "description": "Links between sources."},
    {"name": "search", "description": "Full-text search over passages and footnotes."},
    {"name": "graph", "description": "Networks of documents and entities for visualisation."},
    {"name": "mentions", "description": "Entities mentioned at exact offsets in a text."},
    {"name": "revisions", "description": "The history of every curated resource; reverts."},
    {"name": "imports", "description": "Uploading source files to import (curate key)."},
    {"name": "keys", "description": "API key management (admin)."},
    {
        "name": "dts",
        "description": "Distributed Text Services 1.0 (Level 1): collections, citation trees "
        "and TEI fragments for scholarly text tools.",
    },
    {
        "name": "oai-pmh",
        "description": "OAI-PMH 2.0 metadata harvesting (Dublin Core and TEI) for library "
        "aggregators and union catalogues.",
    },
    {
        "name": "changes",
        "description": "What changed, in order: an IIIF Change Discovery 1.0 feed, for "
        "mirrors and caches.",
    },
    {
        "name": "reconciliation",
        "description": "Reconciliation Service API 0.2 for OpenRefine: match names against "
        "the entity registry.",
    },
    {"name": "operations", "description": "Health and readiness for operators."},
]


def operation_id(route: APIRoute) -> str:
    """``getDocument``, ``listFootnotes``: the route function's name in camelCase, which
    generated clients turn back into their own convention (``get_document`` in Python)."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def replica_set(settings: Settings, primary: Engine) -> ReplicaSet | None:
    """The read replicas of QUELLEN_DATABASE_REPLICA_URLS, or None when there are none."""
    if not settings.database_replica_urls:
        return None
    return ReplicaSet.connect(
        primary,
        settings.database_replica_urls,
        max_lag=settings.replica_max_lag,
        check_seconds=settings.replica_check_seconds,
        pool_size=settings.db_pool_size,
    )


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        write_wait=settings.write_wait_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # this process's import worker: queued jobs, and jobs whose worker stopped
        app.state.import_worker = JobWorker.from_settings(app.state.engine, settings).start()
        yield
        app.state.import_worker.stop()
        app.state.engine.dispose()
        if app.state.replicas is not None:
            app.state.replicas.dispose()

    app = FastAPI(
        title="Quellen",
        version=__version__,
        summary="Curated historical source records over HTTP.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        root_path=settings.root_path,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # One schema per model: FastAPI's Alias-Input/Alias-Output pairs break generators
        separate_input_output_schemas=False,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.snapshot_engine = snapshot_engine(engine)  # for the sessions that read
    app.state.migration_head = head_revision(settings.database_url)
    app.state.search_bulkhead = Bulkhead(settings.search_concurrency, settings.search_wait_seconds)

    app.state.replicas = replicas = replica_set(settings, engine)
    app.state.replica_readers = {}

    problems.install(app)
    # Innermost: which database a request reads from (replicas), and a write's token
    if replicas is not None:
        primary = read_target("primary", engine, app.state.snapshot_engine)
        app.add_middleware(ReplicaMiddleware, replicas=replicas, primary=primary)
    elif engine.dialect.name == "postgresql":
        app.add_middleware(ConsistencyTokenMiddleware, primary=engine)
    # Outermost last: security headers and CORS also dress the 413/429 answers.
    app.add_middleware(DownloadMiddleware)  # innermost: ?format= as Accept, before routing
    app.add_middleware(ETagMiddleware, cache_control=cache_control(settings))
    # gzip outside ETag: the tag, hashed from the uncompressed body, names the version in
    # either encoding (Vary: Accept-Encoding keeps a cache's copies apart); no 304 has a body
    app.add_middleware(GZipMiddleware, minimum_size=settings.compress_min_bytes)
    app.add_middleware(HeadMiddleware)  # outside ETag and gzip: a HEAD's headers are a GET's
    app.add_middleware(NulRefusalMiddleware)  # inside the body limit: bodies it reads are bounded
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.upload_max_bytes,
    )
    app.add_middleware(
        RateLimitMiddleware,
        writes=settings.rate_limit_writes,
        reads=settings.rate_limit_reads,
        storage=settings.rate_limit_storage,
    )
    app.add_middleware(FailureMiddleware)  # inside CORS: a browser may read a 500 or 503 too
    app.add_middleware(OptionsMiddleware)  # inside CORS: a preflight is CORS's to answer
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials="*" not in settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                CONSISTENCY_HEADER,
            ],
            expose_headers=["ETag", "Link", "Location", "Retry-After", CONSISTENCY_HEADER],
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    # Reads are public by default; only then does each read pay for the key check.
    readers = [Depends(read_access)] if settings.require_read_key else []
    app.include_router(health.router)
    if settings.reader:  # before home: with Accept text/html, `/` is the reading site's
        app.include_router(reader.router, dependencies=readers)
    app.include_router(home.router, dependencies=readers)
    strict = [*readers, Depends(refuse_unknown_query)]  # list and search routes: 400 on typos
    app.include_router(v1, dependencies=strict)
    app.include_router(search.router, dependencies=strict)
    app.include_router(curation.router, dependencies=readers)
    app.include_router(keys.router, dependencies=readers)
    app.include_router(dts.router, dependencies=readers)
    app.include_router(oai.router, dependencies=readers)  # OAI-PMH: its own errors, no 400s
    app.include_router(imports.router, dependencies=readers)
    reconcile.install(app, readers)  # /reconcile, open to every origin (its own CORS)

    docs.install(app, settings)  # /docs and /redoc, with their assets under /static/

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            app.openapi_schema = shape_for_clients(complete_responses(schema, settings))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    observability.install(app, settings)  # last, so its middleware is the outermost
    return app
