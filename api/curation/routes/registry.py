"""Writes of the entity registry: entities (people, places, organizations, groups, terms)
and events, each by its own routes.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.curation.routes.writes import WRITE_ERRORS, IfMatch, patch_of, written
from api.curation.schemas import (
    EntityCreate,
    EntityPatch,
    EventCreate,
    EventPatch,
)
from api.curation.service import registry as service
from api.deps import BaseUrl, WriteSessionDep
from api.entities.schemas import EntityPublic
from api.events.schemas import EventPublic
from api.http.auth import AdminKey, CurateKey

router = APIRouter()


EntityId = Annotated[str, Path(max_length=200, description="entity id")]
EventId = Annotated[str, Path(max_length=200, description="event id")]


@router.post(
    "/entities",
    tags=["entities"],
    response_model=EntityPublic,
    status_code=201,
    summary="Create an entity",
    description="A person, place, organization, group or term with aliases; every document "
    "is re-linked so its mentions appear at once. An alias another entity has is a 409.",
    responses=WRITE_ERRORS,
)
def create_entity(
    session: WriteSessionDep, principal: CurateKey, body: EntityCreate, base: BaseUrl
) -> Response:
    entity = service.save_entity(session, principal, body.id, create=body.model_dump(), base=base)
    session.commit()
    return written(entity, status_code=201, location=entity.links["self"])


@router.patch(
    "/entities/{entity_id}",
    tags=["entities"],
    response_model=EntityPublic,
    summary="Edit an entity",
    description="A JSON Merge Patch; changed aliases re-run the linker over every document. "
    "Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_entity(
    session: WriteSessionDep,
    principal: CurateKey,
    entity_id: EntityId,
    body: EntityPatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    entity = service.save_entity(
        session,
        principal,
        entity_id,
        patch=patch_of(body),
        if_match=if_match,
        base=base,
    )
    session.commit()
    return written(entity)


@router.delete(
    "/entities/{entity_id}",
    tags=["entities"],
    status_code=204,
    summary="Delete an entity",
    description="Removes the entity, its aliases and its mentions for good. Admin only; "
    "needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_entity(
    session: WriteSessionDep,
    principal: AdminKey,
    entity_id: EntityId,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    service.delete_entity(session, principal, entity_id, if_match=if_match, base=base)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/events",
    tags=["events"],
    response_model=EventPublic,
    status_code=201,
    summary="Create an event",
    description="An event with EDTF dates, place, participants with roles, aliases and the "
    "passages that report it.",
    responses=WRITE_ERRORS,
)
def create_event(
    session: WriteSessionDep, principal: CurateKey, body: EventCreate, base: BaseUrl
) -> Response:
    event = service.save_event(session, principal, body.id, create=body.model_dump(), base=base)
    session.commit()
    return written(event, status_code=201, location=event.links["self"])


@router.patch(
    "/events/{event_id}",
    tags=["events"],
    response_model=EventPublic,
    summary="Edit an event",
    description="A JSON Merge Patch of the event. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_event(
    session: WriteSessionDep,
    principal: CurateKey,
    event_id: EventId,
    body: EventPatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    event = service.save_event(
        session,
        principal,
        event_id,
        patch=patch_of(body),
        if_match=if_match,
        base=base,
    )
    session.commit()
    return written(event)


@router.delete(
    "/events/{event_id}",
    tags=["events"],
    status_code=204,
    summary="Delete an event",
    description="Removes the event for good. Admin only; needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_event(
    session: WriteSessionDep,
    principal: AdminKey,
    event_id: EventId,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    service.delete_event(session, principal, event_id, if_match=if_match, base=base)
    session.commit()
    return Response(status_code=204)
