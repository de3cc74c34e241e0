"""GET /v1/events (a timeline) and /v1/events/{id}."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from api.changes.bundles import event_lines
from api.deps import AbsoluteBaseUrl, BaseUrl, SessionDep
from api.documents.routes import DocumentId, edtf_bound
from api.errors import ProblemError
from api.events import service
from api.events.schemas import EventList, EventPublic
from api.http.negotiation import (
    JSON,
    NDJSON,
    RESOURCE_TYPES,
    VARY,
    bundle_content,
    bundle_response,
    jsonld_content,
    jsonld_response,
    negotiate,
    wants_alternative,
)
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response

router = APIRouter(prefix="/events", tags=["events"])
document_router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])

_BASE = "http://127.0.0.1:8000"
EVENT_JSONLD_EXAMPLE: dict[str, Any] = {
    "@context": {"@vocab": "https://schema.org/", "sameAs": {"@type": "@id"}},
    "@id": f"{_BASE}/v1/events/yalta-conference",
    "@type": "Event",
    "name": "Yalta Conference",
    "startDate": "1945-02-04",
    "endDate": "1945-02-11",
    "location": {"@id": f"{_BASE}/v1/entities/yalta", "@type": "Place", "name": "Yalta"},
    "attendee": [
        {
            "@type": "Role",
            "roleName": "head of the Soviet delegation",
            "attendee": {"@id": f"{_BASE}/v1/entities/joseph-stalin", "@type": "Person"},
        }
    ],
}

_BUNDLE_EXAMPLE = (
    '{"type":"bundle","format":"quellen-bundle","version":1}\n'
    '{"type":"event","id":"yalta-conference","name":"Yalta Conference",'
    '"event_type":"conference","date":"1945-02-04/1945-02-11","place":"yalta",…}\n'
)


@router.get(
    "",
    response_model=EventList,
    summary="List events (a timeline)",
    description="Events in date order (undated last). `date_from`/`date_to` take EDTF and "
    "keep events whose span overlaps the range: `date_from=1945-02&date_to=1945-02` "
    "returns the Yalta Conference (1945-02-04/1945-02-11).",
    responses=problem_responses(400, 422),
)
def list_events(
    request: Request,
    session: SessionDep,
    page: PageDep,
    base: BaseUrl,
    date_from: Annotated[
        str | None, Query(max_length=100, description="EDTF: earliest date", examples=["1945-02"])
    ] = None,
    date_to: Annotated[
        str | None, Query(max_length=100, description="EDTF: latest date", examples=["1945-02"])
    ] = None,
    type: Annotated[
        str | None, Query(max_length=50, description="event type, e.g. conference")
    ] = None,
    place: Annotated[str | None, Query(max_length=200, description="place entity id")] = None,
    participant: Annotated[
        str | None, Query(max_length=200, description="participant entity id")
    ] = None,
) -> Response:
    start = edtf_bound("date_from", date_from, upper=False)
    end = edtf_bound("date_to", date_to, upper=True)
    if start is not None and end is not None and start > end:
        raise ProblemError(422, f"date_from ({date_from}) is after date_to ({date_to}).")
    after = decode_cursor(page.cursor, "events", (str, str)) if page.cursor else None
    items, last = service.list_events(
        session,
        date_from=start,
        date_to=end,
        event_type=type,
        place=place,
        participant=participant,
        after=after,
        limit=page.limit,
        base=base,
    )
    return page_response(
        request, EventList, items, limit=page.limit, cursor_kind="events", last_key=last
    )


@router.get(
    "/{event_id}",
    response_model=EventPublic,
    summary="Get one event",
    description="An event with its dates, place, participants (with roles) and the documents "
    "that report or name it.\n\nAlso as schema.org JSON-LD (`Accept: application/ld+json`): an "
    "`Event` with `startDate`/`endDate`, `location`, attendees in their roles and `subjectOf` "
    "the documents; and as Quellen bundle lines (`Accept: application/x-ndjson`: the header "
    "and the event's line as `quellen export` writes it, which `quellen import` reads back; "
    "what the change feed's `seeAlso` points at, for mirrors).",
    responses={
        200: {
            "content": {
                **jsonld_content(EVENT_JSONLD_EXAMPLE),
                **bundle_content(_BUNDLE_EXAMPLE),
            }
        },
        **problem_responses(404, 406, 422),
    },
)
def get_event(
    request: Request,
    session: SessionDep,
    event_id: Annotated[
        str, Path(max_length=200, description="event id", examples=["yalta-conference"])
    ],
    base: BaseUrl,
    base_url: AbsoluteBaseUrl,
) -> Response:
    if wants_alternative(request):
        media_type = negotiate(request, [*RESOURCE_TYPES, NDJSON])
        if media_type == NDJSON:
            return bundle_response(event_lines(session, event_id))
        if media_type != JSON:
            return jsonld_response(service.event_jsonld(session, event_id=event_id, base=base_url))
    return json_response(service.get_event(session, event_id=event_id, base=base), headers=VARY)


@document_router.get(
    "/events",
    response_model=EventList,
    summary="Events a document reports or names",
    description="Events linked to the document by a curator (reported in) or named in it, "
    "in date order.",
    responses=problem_responses(400, 404, 422),
)
def list_document_events(
    request: Request, session: SessionDep, document_id: DocumentId, page: PageDep, base: BaseUrl
) -> Response:
    after = decode_cursor(page.cursor, "events", (str, str)) if page.cursor else None
    items, last = service.list_events(
        session,
        date_from=None,
        date_to=None,
        event_type=None,
        place=None,
        participant=None,
        document_id=document_id,
        after=after,
        limit=page.limit,
        base=base,
    )
    return page_response(
        request, EventList, items, limit=page.limit, cursor_kind="events", last_key=last
    )
