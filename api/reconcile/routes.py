"""The Reconciliation Service API 0.2 at ``/reconcile``, outside ``/v1`` where clients
expect a service root: the manifest, queries, suggest, preview and data extension.

Mounted by ``install`` (called from api/app.py): the routes, behind the read key when
QUELLEN_REQUIRE_READ_KEY is set (all but the manifest, which the specification keeps
open and which then names the key in ``authentication``), and ``api.reconcile.cors`` for
cross-origin access from any origin.
"""

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import AbsoluteBaseUrl, SessionDep
from api.errors import ProblemError
from api.http.auth import Credentials, read_access
from api.http.problems import problem_responses
from api.links import entity_link
from api.reconcile import extension, service
from api.reconcile.cors import ReconcileCORSMiddleware
from api.reconcile.preview import PREVIEW_CSP, preview_html
from api.reconcile.queries import parse_batch, parse_extension, parse_json
from api.reconcile.schemas import (
    EXTENSION_EXAMPLE,
    RESULT_EXAMPLE,
    BatchAnswer,
    EntitySuggestions,
    PropertyProposal,
    PropertySuggestions,
    ServiceAnswer,
    TypeSuggestions,
    dump,
)
from api.reconcile.vocabulary import MAX_IDS, MAX_LIMIT, MAX_QUERIES, SUGGEST_LIMIT
from api.records.record import ListedEntityType

# the root (manifest and queries), apart: the manifest stays open when reads need a key
service_router = APIRouter(prefix="/reconcile", tags=["reconciliation"])
router = APIRouter(prefix="/reconcile", tags=["reconciliation"])

QUERIES_EXAMPLE = '{"q0": {"query": "Harriman", "type": "person"}}'
EXTEND_EXAMPLE = '{"ids": ["walter-edward-guinness"], "properties": [{"id": "aliases"}]}'
QUERIES_DESCRIPTION = (
    "a reconciliation query batch (JSON): queries by id, each with `query` (a name), "
    "`type` (one type id or a list), `limit` (1–50, default 10) and `properties` "
    "(`[{pid, v}]`: `dates` in EDTF, `aliases`, `type`)"
)
EXTEND_DESCRIPTION = (
    "a data extension query (JSON): `ids` (entity ids) and `properties` (`[{id, settings}]`, "
    "the ids of `GET /reconcile/properties`; setting `limit`: values per row, 0 for all)"
)
_PREVIEW_EXAMPLE = (
    '<!DOCTYPE html>\n<html lang="en">…<h1>W. Averell Harriman</h1>\n'
    '<p class="meta">Person · 1891-11-15/1986-07-26</p>…</html>'
)


def _json(model: Any) -> Response:
    return Response(dump(model), media_type="application/json")


def _answer(session: SessionDep, queries: str | None, extend: str | None) -> Response:
    service.refuse_both(queries, extend)
    if queries is not None:
        batch = parse_batch(parse_json(queries, "queries"))
        return _json(service.reconcile(session, batch))
    assert extend is not None
    query = parse_extension(parse_json(extend, "extend"))
    return _json(extension.extend(session, query))


@service_router.get(
    "",
    response_model=ServiceAnswer,
    summary="Reconciliation service: manifest, or queries by GET",
    description="The W3C Reconciliation Service API 0.2 over the entity registry, for "
    "OpenRefine and other reconciliation clients (add the service by this URL).\n\n"
    "Without parameters: the **service manifest** (types, the view, preview, suggest and "
    "data extension services, `batchSize`). With `queries`: the **candidates** for each "
    "query, best first; an exact name or alias (folded as the registry folds aliases) "
    "comes first and is `match: true` only when no other entity has it. With `extend`: "
    "**property values** of reconciled entities. POST takes the same as form fields (the "
    f"primary way). A batch holds at most {MAX_QUERIES} queries (413 beyond), a query asks "
    f"for at most {MAX_LIMIT} candidates, data extension for at most {MAX_IDS} entities; "
    "malformed JSON is a 400 saying where. Answers `Access-Control-Allow-Origin: *`.",
    responses=problem_responses(400, 413),
)
def reconcile_service(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    queries: Annotated[
        str | None,
        Query(max_length=500_000, description=QUERIES_DESCRIPTION, examples=[QUERIES_EXAMPLE]),
    ] = None,
    extend: Annotated[
        str | None,
        Query(max_length=500_000, description=EXTEND_DESCRIPTION, examples=[EXTEND_EXAMPLE]),
    ] = None,
) -> Response:
    if queries is None and extend is None:
        settings = request.app.state.settings
        return _json(
            service.manifest(base, reader=settings.reader, key_required=settings.require_read_key)
        )
    return _answer(session, queries, extend)


@router.post(
    "",
    response_model=BatchAnswer,
    summary="Reconcile a batch of names, or fetch property values",
    description="The primary way to query the service (Reconciliation Service API 0.2): "
    "`application/x-www-form-urlencoded` with the form field `queries` (a query batch: "
    "candidates per query, best first, `score` 0–100, `match` for the one certain "
    "candidate, `features` saying why) or `extend` (a data extension query: the values of "
    "properties for each entity id). See `GET /reconcile` for bounds and errors; a JSON "
    "body is a 415 (the specification sends form fields).",
    responses={
        200: {
            "content": {
                "application/json": {
                    "examples": {
                        "queries": {"summary": "queries", "value": RESULT_EXAMPLE},
                        "extend": {"summary": "extend", "value": EXTENSION_EXAMPLE},
                    }
                }
            }
        },
        **problem_responses(400, 413, 415),
    },
)
def reconcile_batch(
    request: Request,
    session: SessionDep,
    queries: Annotated[
        str | None, Form(description=QUERIES_DESCRIPTION, examples=[QUERIES_EXAMPLE])
    ] = None,
    extend: Annotated[
        str | None, Form(description=EXTEND_DESCRIPTION, examples=[EXTEND_EXAMPLE])
    ] = None,
) -> Response:
    if queries is None and extend is None:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type and "form" not in media_type:
            raise ProblemError(
                415,
                f"Send the batch as the form field 'queries' (or 'extend'), "
                f"application/x-www-form-urlencoded, not as {media_type}: the "
                "Reconciliation Service API 0.2 takes form fields.",
            )
        raise ProblemError(
            400, "POST /reconcile takes the form field 'queries' (a query batch) or 'extend'."
        )
    return _answer(session, queries, extend)


Prefix = Annotated[
    str, Query(max_length=200, description="what has been typed so far", examples=["harr"])
]
Cursor = Annotated[
    int,
    Query(
        ge=0,
        le=100_000,
        description=f"suggestions to skip: {SUGGEST_LIMIT} a page, so the next page is "
        f"cursor + {SUGGEST_LIMIT}",
    ),
]


@router.get(
    "/suggest/entity",
    response_model=EntitySuggestions,
    summary="Suggest entities as a name is typed",
    description="Entities whose name, an alias, a word of either, or id starts with "
    f"`prefix` (case-insensitively), the names first; {SUGGEST_LIMIT} at a time. Each "
    "comes with its type (`notable`) and its dates and description.",
    responses=problem_responses(400),
)
def suggest_entities(
    session: SessionDep,
    prefix: Prefix = "",
    cursor: Cursor = 0,
    type: Annotated[
        ListedEntityType | None, Query(description="only entities of this type")
    ] = None,
) -> Response:
    types: set[str] | None = {type} if type is not None else None
    return _json(service.suggest_entities(session, prefix=prefix, types=types, cursor=cursor))


@router.get(
    "/suggest/type",
    response_model=TypeSuggestions,
    summary="Suggest entity types",
    description="The registry's types (person, place, organization, group, term, event) "
    "whose id or name starts with `prefix`.",
    responses=problem_responses(400),
)
def suggest_types(prefix: Prefix = "", cursor: Cursor = 0) -> Response:
    return _json(service.suggest_types(prefix=prefix, cursor=cursor))


@router.get(
    "/suggest/property",
    response_model=PropertySuggestions,
    summary="Suggest properties",
    description="The properties queries can match on (`aliases`, `dates`, `type`) and data "
    "extension can fetch, whose id or a word of whose name starts with `prefix`.",
    responses=problem_responses(400),
)
def suggest_properties(prefix: Prefix = "", cursor: Cursor = 0) -> Response:
    return _json(service.suggest_properties(prefix=prefix, cursor=cursor))


@router.get(
    "/properties",
    response_model=PropertyProposal,
    summary="Properties to fetch for a type",
    description="The properties data extension (`extend`) can fetch for entities of "
    "`type`: aliases, dates (EDTF, and the first and last day they can mean), "
    "description, type, how many documents name it, authority ids and records; members "
    "for groups, place and participants for events. Without `type`: all of them.",
    responses=problem_responses(400),
)
def propose_properties(
    type: Annotated[ListedEntityType | None, Query(description="an entity type")] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=100, description="the most properties to list")
    ] = None,
) -> Response:
    return _json(service.propose_properties(type_=type, limit=limit))


@router.get(
    "/preview",
    response_class=HTMLResponse,
    summary="Preview an entity (HTML)",
    description="A small HTML page for a reconciliation client's iframe (the size the "
    "manifest gives): name, type, dates, description, aliases, how many documents name "
    "it, a link to its page. Any site may frame it; it runs no script.",
    responses={
        200: {"content": {"text/html": {"example": _PREVIEW_EXAMPLE}}},
        **problem_responses(404),
    },
)
def preview_entity(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    entity_id: Annotated[
        str,
        Query(
            alias="id",
            min_length=1,
            max_length=200,
            description="an entity id",
            examples=["w-averell-harriman"],
        ),
    ],
) -> HTMLResponse:
    entity = extension.preview(session, entity_id)
    if request.app.state.settings.reader:
        link = f"{base}/entities/{quote(entity.id, safe='')}"
    else:
        link = entity_link(base, quote(entity.id, safe=""))
    return HTMLResponse(
        preview_html(entity, link=link), headers={"Content-Security-Policy": PREVIEW_CSP}
    )


async def _reads_but_the_manifest(request: Request, credentials: Credentials) -> None:
    """The read key, except for the manifest (a GET without queries or extend), which the
    specification leaves open so that a client can learn how to authenticate."""
    if request.method not in ("GET", "HEAD") or request.query_params.keys() & {"queries", "extend"}:
        await read_access(request, credentials)


def install(app: FastAPI, readers: Sequence[Any]) -> None:
    """Mount the service: its routes (behind ``readers``, the read-key dependencies, when
    there are any) and cross-origin access for every origin."""
    root = [Depends(_reads_but_the_manifest)] if readers else []
    app.include_router(service_router, dependencies=root)
    app.include_router(router, dependencies=list(readers))
    app.add_middleware(ReconcileCORSMiddleware)
