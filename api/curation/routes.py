"""The write API: documents, passages, footnotes, mentions, entities, events and
cross-references; revisions and reverts; API keys.

Writes need an API key (``Authorization: Bearer <key>``) with the ``curate`` scope; hard
deletes, restores, reverts and key management need ``admin``. PATCH and DELETE need
``If-Match`` with the ETag last read (428 without it, 412 when it is stale). Each write is
one transaction and records a revision.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import select

from api.crossrefs.schemas import CrossReferencePublic
from api.curation import links as curation_links
from api.curation import revisions
from api.curation import service as curation
from api.curation.schemas import (
    CrossReferenceCreate,
    CrossReferencePatch,
    DocumentCreate,
    DocumentPatch,
    EntityCreate,
    EntityPatch,
    EventCreate,
    EventPatch,
    FootnotePatch,
    KeyCreate,
    KeyCreated,
    KeyPublic,
    MentionCreate,
    MentionPatch,
    PassagePatch,
    RevisionPublic,
)
from api.db.engine import write_session
from api.db.keys import create_key, revoke_key
from api.db.models import ApiKey
from api.deps import RowWriteSessionDep, SessionDep, WriteSessionDep
from api.documents.routes import DocumentId
from api.documents.schemas import DocumentPublic
from api.entities.schemas import EntityPublic
from api.errors import ProblemError
from api.events.schemas import EventPublic
from api.http.auth import AdminKey, CurateKey
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import json_response, page_response
from api.mentions import service as mentions
from api.mentions.schemas import MentionPublic
from api.schemas import Page, list_example
from api.texts.schemas import FootnotePublic, PassagePublic
from api.versions import current_etag

router = APIRouter(prefix="/v1", tags=["curation"])

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="the ETag of the resource as last read; required for PATCH and DELETE",
    ),
]
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 410, 422)  # 412, 428: api/http/openapi.py
Kind = Literal["documents", "entities", "events", "mentions", "cross-references"]


class RevisionList(Page[RevisionPublic]):
    model_config = list_example(RevisionPublic)


class KeyList(Page[KeyPublic]):
    model_config = list_example(KeyPublic)


def _base(request: Request) -> str:
    return request.scope.get("root_path", "")  # type: ignore[no-any-return]


def _written(model: BaseModel, *, status_code: int = 200, location: str | None = None) -> Response:
    headers = {"ETag": current_etag(model)}
    if location:
        headers["Location"] = location
    return json_response(model, headers=headers, status_code=status_code)


def _patch(body: BaseModel) -> dict[str, Any]:
    patch = body.model_dump(exclude_unset=True)
    if not patch:
        raise ProblemError(422, "The patch changes nothing: give at least one field.")
    return patch


# Documents ---------------------------------------------------------------------------------


@router.post(
    "/documents",
    response_model=DocumentPublic,
    status_code=201,
    summary="Create a document",
    description="A new document from metadata and annotated plain text (one passage per "
    "line, `## section`, `[^n]` footnote markers, `[Page n]` page breaks). It is linked "
    "and indexed at once.",
    responses=WRITE_ERRORS,
)
def create_document(
    request: Request, session: WriteSessionDep, principal: CurateKey, body: DocumentCreate
) -> Response:
    document = curation.create_document(session, principal, body, base=_base(request))
    session.commit()
    return _written(document, status_code=201, location=document.links.self)


@router.patch(
    "/documents/{document_id}",
    response_model=DocumentPublic,
    summary="Edit a document's metadata",
    description="A JSON Merge Patch of the metadata (title, authors, date, provenance, notes, "
    "identifiers, …). Needs If-Match. Edit the text through its passages.",
    responses=WRITE_ERRORS,
)
def update_document(
    request: Request,
    principal: CurateKey,
    document_id: DocumentId,
    body: DocumentPatch,
    if_match: IfMatch = None,
) -> Response:
    # Its own session, not a dependency's: whether the write needs a turn in the write lane
    # depends on the fields it changes (api.db.engine.begin_write).
    patch = _patch(body)

    def edit(exclusive: bool) -> Any:
        engine = request.app.state.engine
        with write_session(engine, exclusive=exclusive, expire_on_commit=False) as session:
            document = curation.update_document(
                session,
                principal,
                document_id,
                patch,
                if_match=if_match,
                base=_base(request),
                exclusive=exclusive,
            )
            session.commit()
        return document

    try:
        document = edit(exclusive=not patch.keys() <= curation.OWN_ROW_FIELDS)
    except curation.LinksNeeded:
        document = edit(exclusive=True)
    return _written(document)


@router.delete(
    "/documents/{document_id}",
    status_code=204,
    summary="Delete a document",
    description="A soft delete: the document becomes a tombstone (410 Gone on read) that an "
    "administrator can restore with everything it had. `hard=true` (admin) removes it for "
    "good. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_document(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    hard: Annotated[bool, Query(description="delete permanently (admin only)")] = False,
    if_match: IfMatch = None,
) -> Response:
    if hard and not principal.allows("admin"):
        raise ProblemError(403, "Permanent deletion needs an API key with the 'admin' scope.")
    curation.delete_document(
        session, principal, document_id, if_match=if_match, hard=hard, base=_base(request)
    )
    session.commit()
    return Response(status_code=204)


@router.post(
    "/documents/{document_id}/restore",
    response_model=DocumentPublic,
    summary="Restore a deleted document",
    description="Brings a soft-deleted document back with its passages, footnotes, mentions "
    "and cross-references. Admin only.",
    responses=WRITE_ERRORS,
)
def restore_document(
    request: Request, session: WriteSessionDep, principal: AdminKey, document_id: DocumentId
) -> Response:
    document = curation.restore_document(session, principal, document_id, base=_base(request))
    session.commit()
    return _written(document)


@router.patch(
    "/documents/{document_id}/passages/{ref}",
    response_model=PassagePublic,
    summary="Edit a passage",
    description="Change a passage's text, kind or boilerplate flag. Offsets of footnotes, "
    "page breaks, mentions and later passages move with the text. Needs If-Match (the "
    "passage's ETag).",
    responses=WRITE_ERRORS,
)
def update_passage(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    ref: Annotated[str, Path(max_length=200, description="passage ref")],
    body: PassagePatch,
    if_match: IfMatch = None,
) -> Response:
    passage = curation.update_passage(
        session,
        principal,
        document_id,
        ref,
        _patch(body),
        if_match=if_match,
        base=_base(request),
    )
    session.commit()
    return _written(passage)


@router.patch(
    "/documents/{document_id}/footnotes/{marker}",
    response_model=FootnotePublic,
    summary="Edit a footnote",
    description="Change a note's text or printed marker (by marker or ref). Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_footnote(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    marker: Annotated[str, Path(max_length=200, description="marker or note ref")],
    body: FootnotePatch,
    if_match: IfMatch = None,
) -> Response:
    note = curation.update_footnote(
        session,
        principal,
        document_id,
        marker,
        _patch(body),
        if_match=if_match,
        base=_base(request),
    )
    session.commit()
    return _written(note)


# Mentions ----------------------------------------------------------------------------------


MentionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="mention id")]


@router.post(
    "/documents/{document_id}/mentions",
    response_model=MentionPublic,
    status_code=201,
    summary="Add a mention",
    description="Link words at exact offsets of a passage or note to an entity (status "
    "curated). The offsets must hold the surface form given.",
    responses=WRITE_ERRORS,
)
def create_mention(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    body: MentionCreate,
) -> Response:
    mention = curation_links.create_mention(
        session, principal, document_id, body, base=_base(request)
    )
    session.commit()
    return _written(mention, status_code=201)


@router.get(
    "/mentions/{mention_id}",
    response_model=MentionPublic,
    summary="Get one mention",
    description="A mention with its offsets, status and keyword-in-context snippet.",
    responses=problem_responses(404, 422),
)
def get_mention(request: Request, session: SessionDep, mention_id: MentionId) -> Response:
    return json_response(mentions.get_mention(session, mention_id=mention_id, base=_base(request)))


@router.patch(
    "/mentions/{mention_id}",
    response_model=MentionPublic,
    summary="Accept, reject or relink a mention",
    description="`status: curated` accepts, `status: rejected` rejects (a rejected mention "
    "stays rejected when the linker runs again); `entity` links it to another entity.",
    responses=WRITE_ERRORS,
)
def update_mention(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    mention_id: MentionId,
    body: MentionPatch,
    if_match: IfMatch = None,
) -> Response:
    mention = curation_links.update_mention(
        session, principal, mention_id, _patch(body), if_match=if_match, base=_base(request)
    )
    session.commit()
    return _written(mention)


@router.delete(
    "/mentions/{mention_id}",
    status_code=204,
    summary="Remove a mention",
    description="Deletes a curated mention; an automatic one is marked rejected instead, so "
    "the linker does not bring it back. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_mention(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    mention_id: MentionId,
    if_match: IfMatch = None,
) -> Response:
    curation_links.delete_mention(
        session, principal, mention_id, if_match=if_match, base=_base(request)
    )
    session.commit()
    return Response(status_code=204)


# Entities and events -----------------------------------------------------------------------

EntityId = Annotated[str, Path(max_length=200, description="entity id")]
EventId = Annotated[str, Path(max_length=200, description="event id")]


@router.post(
    "/entities",
    response_model=EntityPublic,
    status_code=201,
    summary="Create an entity",
    description="A person, place, organization, group or term with aliases; every document "
    "is re-linked so its mentions appear at once. An alias another entity has is a 409.",
    responses=WRITE_ERRORS,
)
def create_entity(
    request: Request, session: WriteSessionDep, principal: CurateKey, body: EntityCreate
) -> Response:
    entity = curation_links.save_entity(
        session, principal, body.id, create=body.model_dump(), event=False, base=_base(request)
    )
    session.commit()
    return _written(entity, status_code=201, location=entity.links["self"])


@router.patch(
    "/entities/{entity_id}",
    response_model=EntityPublic,
    summary="Edit an entity",
    description="A JSON Merge Patch; changed aliases re-run the linker over every document. "
    "Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_entity(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    entity_id: EntityId,
    body: EntityPatch,
    if_match: IfMatch = None,
) -> Response:
    entity = curation_links.save_entity(
        session,
        principal,
        entity_id,
        patch=_patch(body),
        event=False,
        if_match=if_match,
        base=_base(request),
    )
    session.commit()
    return _written(entity)


@router.delete(
    "/entities/{entity_id}",
    status_code=204,
    summary="Delete an entity",
    description="Removes the entity, its aliases and its mentions for good. Admin only; "
    "needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_entity(
    request: Request,
    session: WriteSessionDep,
    principal: AdminKey,
    entity_id: EntityId,
    if_match: IfMatch = None,
) -> Response:
    curation_links.delete_entity(
        session, principal, entity_id, event=False, if_match=if_match, base=_base(request)
    )
    session.commit()
    return Response(status_code=204)


@router.post(
    "/events",
    response_model=EventPublic,
    status_code=201,
    summary="Create an event",
    description="An event with EDTF dates, place, participants with roles, aliases and the "
    "passages that report it.",
    responses=WRITE_ERRORS,
)
def create_event(
    request: Request, session: WriteSessionDep, principal: CurateKey, body: EventCreate
) -> Response:
    event = curation_links.save_entity(
        session, principal, body.id, create=body.model_dump(), event=True, base=_base(request)
    )
    session.commit()
    return _written(event, status_code=201, location=event.links["self"])


@router.patch(
    "/events/{event_id}",
    response_model=EventPublic,
    summary="Edit an event",
    description="A JSON Merge Patch of the event. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_event(
    request: Request,
    session: WriteSessionDep,
    principal: CurateKey,
    event_id: EventId,
    body: EventPatch,
    if_match: IfMatch = None,
) -> Response:
    event = curation_links.save_entity(
        session,
        principal,
        event_id,
        patch=_patch(body),
        event=True,
        if_match=if_match,
        base=_base(request),
    )
    session.commit()
    return _written(event)


@router.delete(
    "/events/{event_id}",
    status_code=204,
    summary="Delete an event",
    description="Removes the event for good. Admin only; needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_event(
    request: Request,
    session: WriteSessionDep,
    principal: AdminKey,
    event_id: EventId,
    if_match: IfMatch = None,
) -> Response:
    curation_links.delete_entity(
        session, principal, event_id, event=True, if_match=if_match, base=_base(request)
    )
    session.commit()
    return Response(status_code=204)


# Cross-references --------------------------------------------------------------------------

XrefId = Annotated[int, Path(ge=1, le=2**31 - 1, description="cross-reference id")]


@router.post(
    "/cross-references",
    response_model=CrossReferencePublic,
    status_code=201,
    summary="Add a cross-reference",
    description="A curated link from a document (or a passage or note of it, optionally at "
    "offsets) to another document or to an identifier not in the corpus yet.",
    responses=WRITE_ERRORS,
)
def create_cross_reference(
    request: Request, session: RowWriteSessionDep, principal: CurateKey, body: CrossReferenceCreate
) -> Response:
    xref = curation_links.create_cross_reference(session, principal, body, base=_base(request))
    session.commit()
    return _written(xref, status_code=201, location=xref.links["self"])


@router.patch(
    "/cross-references/{xref_id}",
    response_model=CrossReferencePublic,
    summary="Edit a cross-reference",
    description="Change a curated cross-reference's relation or target. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_cross_reference(
    request: Request,
    session: RowWriteSessionDep,
    principal: CurateKey,
    xref_id: XrefId,
    body: CrossReferencePatch,
    if_match: IfMatch = None,
) -> Response:
    xref = curation_links.update_cross_reference(
        session, principal, xref_id, _patch(body), if_match=if_match, base=_base(request)
    )
    session.commit()
    return _written(xref)


@router.delete(
    "/cross-references/{xref_id}",
    status_code=204,
    summary="Delete a cross-reference",
    description="Deletes a curated (or inferred) cross-reference. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_cross_reference(
    request: Request,
    session: RowWriteSessionDep,
    principal: CurateKey,
    xref_id: XrefId,
    if_match: IfMatch = None,
) -> Response:
    curation_links.delete_cross_reference(
        session, principal, xref_id, if_match=if_match, base=_base(request)
    )
    session.commit()
    return Response(status_code=204)


# Revisions ---------------------------------------------------------------------------------


@router.get(
    "/{kind}/{resource_id}/revisions",
    response_model=RevisionList,
    summary="A resource's revisions",
    description="Every write to the resource, oldest first: operation, key name, time, and "
    "the resource before and after. A deleted resource keeps its history; one that never "
    "existed is 404.",
    responses=problem_responses(400, 404, 422),
)
def list_revisions(
    request: Request,
    session: SessionDep,
    kind: Annotated[
        Kind, Path(description="documents, entities, events, mentions, cross-references")
    ],
    resource_id: Annotated[str, Path(max_length=200, description="the resource's id")],
    page: PageDep,
) -> Response:
    after = decode_cursor(page.cursor, "revisions", (int,))[0] if page.cursor else None
    items, last = revisions.list_revisions(
        session,
        kind=kind,
        resource_id=resource_id,
        after=after,
        limit=page.limit,
        base=_base(request),
    )
    return page_response(
        request,
        RevisionList,
        items,
        limit=page.limit,
        cursor_kind="revisions",
        last_key=[last] if last is not None else None,
    )


@router.post(
    "/{kind}/{resource_id}/revisions/{number}/revert",
    summary="Revert to a revision",
    description="Makes the resource what the given revision left it as, and records that "
    "as a new revision. Admin only. Supported for documents, entities and events.",
    responses={
        200: {
            "description": "The resource as reverted (a document, entity or event)",
            "content": {
                "application/json": {
                    "example": {
                        "id": "harriman-to-secretary-of-state-1944-09-24",
                        "title": "The Ambassador in the Soviet Union (Harriman) to the "
                        "Secretary of State",
                        "revision": 4,
                    }
                }
            },
        },
        **WRITE_ERRORS,
    },
)
def revert(
    request: Request,
    session: WriteSessionDep,
    principal: AdminKey,
    kind: Annotated[Kind, Path(description="documents, entities or events")],
    resource_id: Annotated[str, Path(max_length=200, description="the resource's id")],
    number: Annotated[int, Path(ge=1, le=2**31 - 1, description="revision number")],
) -> Response:
    base = _base(request)
    if kind == "documents":
        result: BaseModel = curation.revert_document(
            session, principal, resource_id, number, base=base
        )
    elif kind in ("entities", "events"):
        target = revisions.get_revision(session, kind=kind, resource_id=resource_id, number=number)
        state = target.after or target.before
        if state is None:
            raise ProblemError(409, "That revision holds no state to revert to.")
        result = curation_links.save_entity(
            session,
            principal,
            resource_id,
            patch=state,
            event=kind == "events",
            if_match=revisions.ANY_VERSION,
            operation=f"revert to {number}",
            base=base,
        )
    else:
        raise ProblemError(409, f"Reverting {kind} is not supported; edit the {kind[:-1]} instead.")
    session.commit()
    return _written(result)


# API keys ----------------------------------------------------------------------------------


def _key_public(key: ApiKey) -> KeyPublic:
    return KeyPublic(
        name=key.name,
        scope=key.scope,
        prefix=f"qk_{key.prefix}",
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


@router.get(
    "/keys",
    response_model=KeyList,
    tags=["keys"],
    summary="List API keys",
    description="Names, scopes and public prefixes of the keys (never the keys). Admin only.",
    responses=problem_responses(401, 403, 422),
)
def list_keys(request: Request, session: SessionDep, principal: AdminKey) -> Response:
    keys = session.execute(select(ApiKey).order_by(ApiKey.name)).scalars().all()
    body = KeyList(items=[_key_public(k) for k in keys], limit=len(keys), next=None)
    return json_response(body)


@router.post(
    "/keys",
    response_model=KeyCreated,
    status_code=201,
    tags=["keys"],
    summary="Create an API key",
    description="Returns the new key once; only a salted hash is kept. Admin only.",
    responses=problem_responses(401, 403, 409, 422),
)
def create_api_key(
    request: Request,
    session: WriteSessionDep,
    principal: AdminKey,
    body: Annotated[KeyCreate, Body()],
) -> Response:
    secret = create_key(session, name=body.name, scope=body.scope)
    key = session.execute(select(ApiKey).where(ApiKey.name == body.name)).scalar_one()
    session.commit()
    created = KeyCreated(**_key_public(key).model_dump(), key=secret)
    return json_response(created, status_code=201)


@router.delete(
    "/keys/{name}",
    status_code=204,
    tags=["keys"],
    summary="Revoke an API key",
    description="The key stops working at once. Admin only.",
    responses=problem_responses(401, 403, 404, 422),
)
def revoke_api_key(
    session: WriteSessionDep,
    principal: AdminKey,
    name: Annotated[str, Path(max_length=100, description="key name")],
) -> Response:
    if not revoke_key(session, name=name):
        raise ProblemError(404, f"No active key named {name!r}.")
    session.commit()
    return Response(status_code=204)
