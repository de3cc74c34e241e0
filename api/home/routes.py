"""``GET /`` and ``GET /v1``: a client (or a person) who knows only the host finds the API,
its documentation and its protocols from here, rather than a 404."""

from fastapi import APIRouter, Response

from api import __version__
from api.deps import BaseUrl
from api.home.schemas import ApiIndex, Home
from api.http.responses import json_response

router = APIRouter(tags=["start"])

_LISTS = (
    "collections",
    "documents",
    "entities",
    "events",
    "cross-references",
    "search",
    "changes",
)


@router.get(
    "/",
    response_model=Home,
    summary="Where to start",
    description="The API's name and version, with links to the v1 API, its interactive "
    "documentation, the OpenAPI document, the protocols (DTS, OAI-PMH, reconciliation, the "
    "change feed) and the health checks.",
)
def get_home(base: BaseUrl) -> Response:
    links = {
        "self": f"{base}/",
        "api": f"{base}/v1",
        "docs": f"{base}/docs",
        "redoc": f"{base}/redoc",
        "openapi": f"{base}/openapi.json",
        "dts": f"{base}/dts",
        "oai": f"{base}/oai?verb=Identify",
        "reconcile": f"{base}/reconcile",
        "changes": f"{base}/v1/changes",
        "health": f"{base}/health",
        "ready": f"{base}/ready",
    }
    return json_response(
        Home(
            name="Quellen",
            version=__version__,
            description="Curated historical source records over HTTP.",
            links=links,
        )
    )


@router.get(
    "/v1",
    response_model=ApiIndex,
    summary="The v1 API's entry points",
    description="Links to the lists a client starts from: collections, documents, entities, "
    "events, cross-references, search and the change feed.",
)
def get_api_index(base: BaseUrl) -> Response:
    links = {"self": f"{base}/v1", **{name: f"{base}/v1/{name}" for name in _LISTS}}
    return json_response(ApiIndex(version="v1", links=links))
