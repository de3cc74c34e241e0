"""GET /v1/entities, /v1/entities/{id}, its mentions and documents."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.changes.bundles import entity_lines
from api.deps import AbsoluteBaseUrl, BaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.entities import service
from api.entities.representations import (
    CSV_CONTENT_ENTITIES,
    ENTITY_JSONLD_EXAMPLE,
    entity_csv,
)
from api.entities.schemas import DocumentEntityList, EntityDocumentList, EntityList, EntityPublic
from api.http.negotiation import (
    CSV,
    JSON,
    LIST_TYPES,
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
from api.http.offsets import Offsets
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response
from api.mentions import service as mentions
from api.mentions.schemas import MentionList
from api.records.record import ListedEntityType as EntityType

router = APIRouter(prefix="/entities", tags=["entities"])
document_router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])

EntityId = Annotated[
    str, Path(max_length=200, description="entity id (slug)", examples=["joseph-stalin"])
]


@router.get(
    "",
    response_model=EntityList,
    summary="List entities",
    description="People, places, organizations, groups, terms and events, sorted by name. "
    "`prefix` matches the start of the name or of any alias, case-insensitively; "
    "`collection` keeps entities named in that collection's documents.\n\n"
    "Also as CSV (`Accept: text/csv`), page by page with the same cursor and `Link` header.",
    responses={
        200: {"content": CSV_CONTENT_ENTITIES},
        **problem_responses(400, 404, 406, 422),
    },
)
def list_entities(
    request: Request,
    session: SessionDep,
    page: PageDep,
    base: BaseUrl,
    base_url: AbsoluteBaseUrl,
    type: Annotated[EntityType | None, Query(description="entity type")] = None,
    prefix: Annotated[
        str | None,
        Query(max_length=200, description="start of the name or an alias", examples=["stal"]),
    ] = None,
    collection: Annotated[
        str | None, Query(max_length=120, description="only entities named in this collection")
    ] = None,
) -> Response:
    media_type = negotiate(request, LIST_TYPES) if wants_alternative(request) else JSON
    after = decode_cursor(page.cursor, "entities", (str, str)) if page.cursor else None
    items, last = service.list_entities(
        session,
        type_=type,
        prefix=prefix,
        collection=collection,
        after=after,
        limit=page.limit,
        base=base,
    )
    if media_type == CSV:
        return entity_csv(request, items, base=base_url, cursor_kind="entities", last_key=last)
    response = page_response(
        request, EntityList, items, limit=page.limit, cursor_kind="entities", last_key=last
    )
    response.headers["Vary"] = "Accept"
    return response


_BUNDLE_EXAMPLE = (
    '{"type":"bundle","format":"quellen-bundle","version":1}\n'
    '{"type":"entity","id":"joseph-stalin","entity_type":"person","name":"Joseph Stalin",'
    '"aliases":[{"text":"Joseph Vissarionovich Stalin"},{"text":"Joseph Stalin"},…],…}\n'
)


@router.get(
    "/{entity_id}",
    response_model=EntityPublic,
    summary="Get one entity",
    description="An entity with its aliases, description, EDTF dates, authority ids (and "
    "`same_as` URIs), mention counts and, for events, type, place, participants and the "
    "passages that report it.\n\n"
    "Also as schema.org JSON-LD (`Accept: application/ld+json`): `Person`, `Place`, "
    "`Organization`, `DefinedTerm` or `Event`, with `sameAs` links to the authority files; "
    "and as Quellen bundle lines (`Accept: application/x-ndjson`: the header and the "
    "entity's line as `quellen export` writes it — an event's `event` line — which `quellen "
    "import` reads back; what the change feed's `seeAlso` points at, for mirrors).",
    responses={
        200: {
            "content": {
                **jsonld_content(ENTITY_JSONLD_EXAMPLE),
                **bundle_content(_BUNDLE_EXAMPLE),
            }
        },
        **problem_responses(404, 406, 422),
    },
)
def get_entity(
    request: Request,
    session: SessionDep,
    entity_id: EntityId,
    base: BaseUrl,
    base_url: AbsoluteBaseUrl,
) -> Response:
    if wants_alternative(request):
        media_type = negotiate(request, [*RESOURCE_TYPES, NDJSON])
        if media_type == NDJSON:
            return bundle_response(entity_lines(session, entity_id))
        if media_type != JSON:
            return jsonld_response(
                service.entity_jsonld(session, entity_id=entity_id, base=base_url)
            )
    return json_response(service.get_entity(session, entity_id=entity_id, base=base), headers=VARY)


@router.get(
    "/{entity_id}/mentions",
    response_model=MentionList,
    summary="Where an entity is named",
    description="Every mention across documents, in reading order, as keyword-in-context "
    "snippets with offsets (`start`/`end` in the document's full text, `passage_start`/"
    "`passage_end` in the passage or note). "
    "Mentions a curator rejected are left out unless `include_rejected=true`.",
    responses=problem_responses(400, 404, 422),
)
def list_entity_mentions(
    request: Request,
    session: SessionDep,
    entity_id: EntityId,
    page: PageDep,
    base: BaseUrl,
    document: Annotated[
        str | None, Query(max_length=200, description="only mentions in this document")
    ] = None,
    include_rejected: Annotated[bool, Query(description="include rejected mentions")] = False,
    offsets: Offsets = "codepoints",
) -> Response:
    after = (
        decode_cursor(page.cursor, "entity-mentions", (str, int, int, int, int))
        if page.cursor
        else None
    )
    service.require_entity(session, entity_id)
    items, last = mentions.entity_mentions(
        session,
        entity_id=entity_id,
        document_id=document,
        include_rejected=include_rejected,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request,
        MentionList,
        items,
        limit=page.limit,
        cursor_kind="entity-mentions",
        last_key=last,
    )


@router.get(
    "/{entity_id}/documents",
    response_model=EntityDocumentList,
    summary="Documents that name an entity",
    description="Documents with at least one mention of the entity (not rejected), with "
    "how often each names it, ordered by document id.",
    responses=problem_responses(400, 404, 422),
)
def list_entity_documents(
    request: Request, session: SessionDep, entity_id: EntityId, page: PageDep, base: BaseUrl
) -> Response:
    after = decode_cursor(page.cursor, "entity-documents", (str,))[0] if page.cursor else None
    items, last = service.entity_documents(
        session, entity_id=entity_id, after=after, limit=page.limit, base=base
    )
    return page_response(
        request,
        EntityDocumentList,
        items,
        limit=page.limit,
        cursor_kind="entity-documents",
        last_key=[last] if last is not None else None,
    )


@document_router.get(
    "/entities",
    response_model=DocumentEntityList,
    summary="Entities a document names",
    description="Each entity named in the document (mentions not rejected), with how often.",
    responses=problem_responses(400, 404, 422),
)
def list_document_entities(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    base: BaseUrl,
    type: Annotated[EntityType | None, Query(description="entity type")] = None,
) -> Response:
    after = decode_cursor(page.cursor, "doc-entities", (str,))[0] if page.cursor else None
    items, last = service.document_entities(
        session,
        document_id=document_id,
        entity_type=type,
        after=after,
        limit=page.limit,
        base=base,
    )
    return page_response(
        request,
        DocumentEntityList,
        items,
        limit=page.limit,
        cursor_kind="doc-entities",
        last_key=[last] if last is not None else None,
    )
