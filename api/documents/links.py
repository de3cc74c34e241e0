"""What a document names and how it is linked: /entities, /events, /mentions, /cross-references."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.crossrefs import service as crossrefs
from api.deps import SessionDep
from api.documents.routes import DocumentId
from api.entities import service as entities
from api.entities.routes import EntityType
from api.entities.schemas import CrossReferenceList, DocumentEntityList, EventList, MentionList
from api.events import service as events
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import page_response

router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])


def _base(request: Request) -> str:
    return request.scope.get("root_path", "")  # type: ignore[no-any-return]


@router.get(
    "/entities",
    response_model=DocumentEntityList,
    summary="Entities a document names",
    description="Each entity named in the document (mentions not rejected), with how often.",
    responses=problem_responses(400, 404, 422),
)
def document_entities(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    type: Annotated[EntityType | None, Query(description="entity type")] = None,
) -> Response:
    after = decode_cursor(page.cursor, "doc-entities", (str,))[0] if page.cursor else None
    items, last = entities.document_entities(
        session,
        document_id=document_id,
        entity_type=type,
        after=after,
        limit=page.limit,
        base=_base(request),
    )
    return page_response(
        request,
        DocumentEntityList,
        items,
        limit=page.limit,
        cursor_kind="doc-entities",
        last_key=[last] if last is not None else None,
    )


@router.get(
    "/events",
    response_model=EventList,
    summary="Events a document reports or names",
    description="Events linked to the document by a curator (reported in) or named in it, "
    "in date order.",
    responses=problem_responses(400, 404, 422),
)
def document_events(
    request: Request, session: SessionDep, document_id: DocumentId, page: PageDep
) -> Response:
    after = decode_cursor(page.cursor, "events", (str, str)) if page.cursor else None
    items, last = events.list_events(
        session,
        date_from=None,
        date_to=None,
        event_type=None,
        place=None,
        participant=None,
        document_id=document_id,
        after=after,
        limit=page.limit,
        base=_base(request),
    )
    return page_response(
        request, EventList, items, limit=page.limit, cursor_kind="events", last_key=last
    )


@router.get(
    "/mentions",
    response_model=MentionList,
    summary="Mentions in a document, for highlighting",
    description="Every mention in reading order (passages, then notes) with offsets in its "
    "passage or note and in the full text. Rejected mentions only with "
    "`include_rejected=true`.",
    responses=problem_responses(400, 404, 422),
)
def document_mentions(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    type: Annotated[EntityType | None, Query(description="only entities of this type")] = None,
    include_rejected: Annotated[bool, Query(description="include rejected mentions")] = False,
) -> Response:
    after = (
        decode_cursor(page.cursor, "doc-mentions", (int, int, int, int)) if page.cursor else None
    )
    items, last = entities.document_mentions(
        session,
        document_id=document_id,
        entity_type=type,
        include_rejected=include_rejected,
        after=after,
        limit=page.limit,
        base=_base(request),
    )
    return page_response(
        request, MentionList, items, limit=page.limit, cursor_kind="doc-mentions", last_key=last
    )


@router.get(
    "/cross-references",
    response_model=CrossReferenceList,
    summary="A document's cross-references",
    description="References from this document (`direction=out`), to it (`in`), or both.",
    responses=problem_responses(400, 404, 422),
)
def document_cross_references(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    direction: Annotated[
        Literal["out", "in", "both"], Query(description="out, in or both")
    ] = "both",
) -> Response:
    after = decode_cursor(page.cursor, "xrefs", (int,))[0] if page.cursor else None
    items, last = crossrefs.list_cross_references(
        session,
        relation=None,
        origin=None,
        resolved=None,
        document_id=document_id,
        direction=direction,
        after=after,
        limit=page.limit,
        base=_base(request),
    )
    return page_response(
        request,
        CrossReferenceList,
        items,
        limit=page.limit,
        cursor_kind="xrefs",
        last_key=[last] if last is not None else None,
    )
