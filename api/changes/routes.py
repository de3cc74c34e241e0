"""GET /v1/changes: the change feed (IIIF Change Discovery API 1.0), its pages and activities.

JSON-LD with the Discovery context by default, as the specification asks
(``application/ld+json;profile="http://iiif.io/api/discovery/1/context.json"``), or plain
``application/json`` when Accept prefers it. The service (api/changes/service.py) says what
the feed holds; these routes pick the media type, say how long a page may be cached, and
turn ``?after=<seq>`` into the page that holds the next change.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel

from api.changes import service
from api.changes.schemas import MEDIA_TYPE, ActivityDocument, ChangeCollection, ChangePage
from api.deps import AbsoluteBaseUrl, SessionDep
from api.http.negotiation import JSON, JSONLD, negotiate
from api.http.problems import problem_responses

router = APIRouter(prefix="/changes", tags=["changes"])

OFFERED = [JSONLD, JSON]
# A page with a newer page after it never changes again: a year, without revalidating
FINAL = "max-age=31536000, immutable"
_SPEC = (
    "The feed follows the [IIIF Change Discovery API 1.0](https://iiif.io/api/discovery/1.0/) "
    "(Activity Streams 2.0): JSON-LD with the Discovery context "
    f"(`{MEDIA_TYPE}`), or `application/json` when Accept asks for it."
)


class FeedResponse(JSONResponse):
    """What the OpenAPI document names as the feed's media type: the specification's."""

    media_type = JSONLD


def _ld(name: str) -> dict[int | str, dict[str, Any]]:
    """The 200 entry of a feed route: JSON-LD, the Discovery profile (JSON on ask)."""
    return {
        200: {
            "content": {JSONLD: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            "description": "Activity Streams 2.0 JSON-LD with the IIIF Discovery context",
        }
    }


def _answer(request: Request, body: BaseModel, headers: dict[str, str] | None = None) -> Response:
    chosen = negotiate(request, OFFERED)
    content = body.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")
    return Response(
        content,
        media_type=MEDIA_TYPE if chosen == JSONLD else JSON,
        headers={"Vary": "Accept", **(headers or {})},
    )


@router.get(
    "",
    response_model=ChangeCollection,
    response_class=FeedResponse,
    summary="The change feed",
    description="Every create, update and delete of a document, entity or event, in the "
    "order the changes were committed, as an `OrderedCollection` of pages of "
    f"{service.PAGE_SIZE} changes: `totalItems`, the `first` (oldest) and `last` (newest) "
    "page. Start at `last` and walk back through `prev` until you reach a change you have "
    "seen; change n is on page ⌈n/100⌉, at position n-1 of the feed (`startIndex`). Each "
    "activity names the resource's URL; its `seeAlso` is the resource as Quellen bundle "
    "lines (`?format=ndjson`), which `quellen mirror` fetches and imports.\n\n"
    "`after` (an extension of the specification): a 303 redirect to the page that holds "
    "change `after`+1 — where a client that has seen every change up to `after` goes on "
    "with `next`. At or past the newest change, the newest page.\n\n" + _SPEC,
    responses={
        **_ld("ChangeCollection"),
        303: {
            "description": "With `after`: the page holding the next change (`Location`)",
            "headers": {"Location": {"description": "the page", "schema": {"type": "string"}}},
        },
        **problem_responses(406, 422),
    },
)
def get_changes(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**62,
            description="the last change you have seen: redirects to the page after it",
            examples=[250],
        ),
    ] = None,
) -> Response:
    if after is not None:
        last = service.page_count(service.total(session))
        target = min(service.page_of(after + 1), last)
        return RedirectResponse(service.Feed(base).page(target), status_code=303)
    return _answer(request, service.collection(session, base=base))


@router.get(
    "/pages/{page}",
    response_model=ChangePage,
    response_class=FeedResponse,
    summary="A page of the change feed",
    description=f"Changes (n-1)·{service.PAGE_SIZE}+1 to n·{service.PAGE_SIZE}, oldest "
    "first, as an `OrderedCollectionPage`: `partOf` the feed, `startIndex` (the position of "
    "its first change, from 0), `prev` (older) and `next` (newer) pages, `orderedItems`. "
    "Each activity: `Create`, `Update` or `Delete` (a restored document is a `Create` "
    "again, with a `summary` saying so), its `object` (the resource's URL; `Document`, "
    "`Event`, or `Object` for an entity) and `endTime` (the commit time, UTC). A page with "
    "a newer page after it never changes: it is sent with `Cache-Control: immutable`; the "
    "newest page grows, and its ETag says when. Past the newest page: 404.\n\n" + _SPEC,
    responses={**_ld("ChangePage"), **problem_responses(404, 406, 422)},
)
def get_changes_page(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    page: Annotated[
        int, Path(ge=1, le=2**40, description="page number, from 1 (the oldest)", examples=[1])
    ],
) -> Response:
    body, final = service.page(session, page, base=base)
    headers = None
    if final:
        audience = "private" if request.app.state.settings.require_read_key else "public"
        headers = {"Cache-Control": f"{audience}, {FINAL}"}
    return _answer(request, body, headers)


@router.get(
    "/activities/{seq}",
    response_model=ActivityDocument,
    response_class=FeedResponse,
    summary="One change of the feed",
    description="Change `seq` on its own: the activity a page lists under this URL (its "
    "`id`), with the context. Changes are numbered 1, 2, … without gaps; an unknown number "
    "is 404.\n\n" + _SPEC,
    responses={**_ld("ActivityDocument"), **problem_responses(404, 406, 422)},
)
def get_change(
    request: Request,
    session: SessionDep,
    base: AbsoluteBaseUrl,
    seq: Annotated[
        int, Path(ge=1, le=2**62, description="the change's number, from 1", examples=[1])
    ],
) -> Response:
    return _answer(request, service.activity(session, seq, base=base))
