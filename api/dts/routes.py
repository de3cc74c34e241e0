"""Distributed Text Services 1.0 (Level 1) under /dts: entry point, collection, navigation,
document. The logic is behind api/dts/service.py (collections.py, navigation.py,
documents.py); these routes read parameters and pick the media type."""

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from api.deps import AbsoluteBaseUrl, SessionDep
from api.dts import service
from api.dts.schemas import DtsCollection, DtsEntryPoint, DtsNavigation
from api.http.negotiation import negotiate
from api.http.problems import problem_responses

router = APIRouter(prefix="/dts", tags=["dts"])


class TeiResponse(Response):
    media_type = "application/tei+xml"


JSONLD = "application/ld+json"
JSON_TYPES = [JSONLD, "application/json"]
_TELEGRAM = "harriman-to-secretary-of-state-1944-09-24"
_LEVEL = (
    "Quellen implements DTS 1.0 **Level 1**: every endpoint and every valid call, "
    "`start`/`end` ranges included."
)


def _ld(name: str) -> dict[int | str, dict[str, Any]]:
    """The 200 entry of a JSON-LD route: served as application/ld+json (or JSON on ask)."""
    return {
        200: {
            "content": {JSONLD: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            "description": "JSON-LD with the DTS 1.0 context",
        }
    }


def _answer(request: Request, body: dict[str, Any]) -> Response:
    media_type = negotiate(request, JSON_TYPES)
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(content, media_type=media_type, headers={"Vary": "Accept"})


def _page_url(request: Request) -> str:
    return str(request.url.remove_query_params("page"))


@router.get(
    "",
    response_model=DtsEntryPoint,
    summary="DTS entry point",
    description="The root of the Distributed Text Services API: the URI templates (RFC 6570) "
    f"of the collection, navigation and document endpoints. {_LEVEL}",
    responses={**_ld("DtsEntryPoint"), **problem_responses(406)},
)
def get_dts_entry_point(request: Request, base: AbsoluteBaseUrl) -> Response:
    return _answer(request, service.entry_point(service.Endpoints(base)))


@router.get(
    "/collection",
    response_model=DtsCollection,
    summary="DTS collection endpoint",
    description="Without `id`, the root collection (`quellen`), whose members are the "
    "Quellen collections; with a collection's id, that collection with its documents as "
    "`Resource` members (100 a page: `page`, and a `view` with first/previous/next/last); "
    "with a document's id, the document as a `Resource` with its citation tree. "
    "`nav=parents` lists parents instead of children. Unknown ids and pages past the last "
    f"are 404; a `nav` other than children or parents is 400. {_LEVEL}",
    responses={**_ld("DtsCollection"), **problem_responses(400, 404, 406)},
)
def get_dts_collection(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    id: Annotated[
        str | None,
        Query(
            max_length=200,
            description="a collection id, a document id, or quellen (the root; the default)",
            examples=["frus-1944-v04"],
        ),
    ] = None,
    page: Annotated[
        str | None, Query(max_length=20, description="page of members, from 1", examples=["1"])
    ] = None,
    nav: Annotated[
        str, Query(max_length=20, description="children (default) or parents")
    ] = "children",
) -> Response:
    body = service.collection(
        session,
        service.Endpoints(base),
        identifier=id,
        page=service.parse_int("page", page, minimum=1),
        nav=nav,
        page_url=_page_url(request),
    )
    return _answer(request, body)


@router.get(
    "/navigation",
    response_model=DtsNavigation,
    summary="DTS navigation endpoint",
    description="The citation tree of a document — sections, their passages, the footnotes "
    "anchored in each passage — or part of it. `ref` with no `down`: that unit; `down=0`: "
    "it and its siblings; `down=n`: it and n levels below (`-1`: to the bottom); "
    "`start`/`end`: a range in document order, to `down` levels below the deeper of the "
    "two; `down` alone: the tree from the top. Members come in document order (pre-order), "
    "500 a page. 400: no `resource`; `ref` with `start`/`end`; only one of `start`/`end`; "
    "`down=0` without `ref`; none of `ref`, `start`/`end`, `down`; `start` after `end`. 404: "
    f"an unknown resource, ref, start, end or tree. {_LEVEL}",
    responses={**_ld("DtsNavigation"), **problem_responses(400, 404, 406)},
)
def get_dts_navigation(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    resource: Annotated[
        str | None,
        Query(max_length=200, description="the document id (required)", examples=[_TELEGRAM]),
    ] = None,
    ref: Annotated[
        str | None,
        Query(max_length=500, description="a unit: sec2, sec2.p1, p4, fn1", examples=["p4"]),
    ] = None,
    start: Annotated[str | None, Query(max_length=500, description="first unit of a range")] = None,
    end: Annotated[str | None, Query(max_length=500, description="last unit of a range")] = None,
    down: Annotated[
        str | None,
        Query(max_length=20, description="levels below the reference (-1: all)", examples=["1"]),
    ] = None,
    tree: Annotated[
        str | None,
        Query(max_length=200, description="citation tree id (only the default tree exists)"),
    ] = None,
    page: Annotated[str | None, Query(max_length=20, description="page of members, from 1")] = None,
) -> Response:
    body = service.navigation(
        session,
        service.Endpoints(base),
        resource=resource,
        ref=ref,
        start=start,
        end=end,
        down=service.parse_int("down", down, minimum=-1),
        tree_name=tree,
        page=service.parse_int("page", page, minimum=1),
        url=str(request.url),
        page_url=_page_url(request),
    )
    return _answer(request, body)


@router.get(
    "/document",
    response_class=TeiResponse,
    summary="DTS document endpoint",
    description="A document as TEI P5 (`application/tei+xml`, the default) or plain text "
    "(`mediaType=text/plain`). With `ref` or `start`/`end`, only those units — a section "
    "with its passages and notes, a passage with its notes, a footnote — inside "
    '`<dts:wrapper xmlns:dts="https://w3id.org/api/dts#">` in `text/body`, the header '
    'kept. A `Link: <…>; rel="collection"` header points back to the Collection endpoint. '
    "400 and 404 as for navigation; a `mediaType` other than application/tei+xml or "
    f"text/plain is 404. {_LEVEL}",
    responses={
        200: {
            "description": "TEI (or plain text) of the document or fragment",
            "content": {
                service.TEI: {
                    "schema": {"type": "string"},
                    "example": '<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://'
                    'www.tei-c.org/ns/1.0"><teiHeader>…</teiHeader><text><body><dts:wrapper '
                    'xmlns:dts="https://w3id.org/api/dts#"><p xml:id="p4">…</p></dts:wrapper>'
                    "</body></text></TEI>",
                },
                service.PLAIN: {"schema": {"type": "string"}},
            },
        },
        **problem_responses(400, 404, 406),
    },
)
def get_dts_document(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    resource: Annotated[
        str | None,
        Query(max_length=200, description="the document id (required)", examples=[_TELEGRAM]),
    ] = None,
    ref: Annotated[
        str | None, Query(max_length=500, description="a unit to return", examples=["p4"])
    ] = None,
    start: Annotated[str | None, Query(max_length=500, description="first unit of a range")] = None,
    end: Annotated[str | None, Query(max_length=500, description="last unit of a range")] = None,
    tree: Annotated[
        str | None,
        Query(max_length=200, description="citation tree id (only the default tree exists)"),
    ] = None,
    mediaType: Annotated[
        str | None,
        Query(max_length=100, description="application/tei+xml (default) or text/plain"),
    ] = None,
) -> Response:
    selection = service.select_units(
        session, resource=resource, ref=ref, start=start, end=end, tree_name=tree
    )
    if mediaType is not None:
        if mediaType not in service.MEDIA_TYPES:
            raise service.Missing(
                f"mediaType {mediaType!r} is not available; use one of "
                f"{', '.join(service.MEDIA_TYPES)}."
            )
        media_type = mediaType
    else:
        media_type = negotiate(request, service.MEDIA_TYPES)
    body = service.document_body(session, selection, media_type)
    endpoints = service.Endpoints(base)
    link = f'<{endpoints.collection}?id={quote(selection.document_id, safe="")}>; rel="collection"'
    return Response(
        body,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Link": link, "Vary": "Accept"},
    )
