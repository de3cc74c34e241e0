"""A resource's revisions, and reverting to one."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel

from api.curation import revisions
from api.curation.routes.writes import WRITE_ERRORS, written
from api.curation.schemas import (
    RevisionPublic,
)
from api.curation.service import documents, registry
from api.deps import BaseUrl, SessionDep, WriteSessionDep
from api.errors import ProblemError
from api.http.auth import AdminKey
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import page_response
from api.schemas import Page, list_example

router = APIRouter(tags=["revisions"])

Kind = Literal["documents", "entities", "events", "mentions", "cross-references"]


class RevisionList(Page[RevisionPublic]):
    model_config = list_example(RevisionPublic)


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
    base: BaseUrl,
) -> Response:
    after = decode_cursor(page.cursor, "revisions", (int,))[0] if page.cursor else None
    items, last = revisions.list_revisions(
        session,
        kind=kind,
        resource_id=resource_id,
        after=after,
        limit=page.limit,
        base=base,
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
def revert_revision(
    session: WriteSessionDep,
    principal: AdminKey,
    kind: Annotated[Kind, Path(description="documents, entities or events")],
    resource_id: Annotated[str, Path(max_length=200, description="the resource's id")],
    number: Annotated[int, Path(ge=1, le=2**31 - 1, description="revision number")],
    base: BaseUrl,
) -> Response:
    if kind == "documents":
        result: BaseModel = documents.revert_document(
            session, principal, resource_id, number, base=base
        )
    elif kind in ("entities", "events"):
        target = revisions.get_revision(session, kind=kind, resource_id=resource_id, number=number)
        state = target.after or target.before
        if state is None:
            raise ProblemError(409, "That revision holds no state to revert to.")
        save = registry.save_event if kind == "events" else registry.save_entity
        result = save(
            session,
            principal,
            resource_id,
            patch=state,
            if_match=revisions.ANY_VERSION,
            operation=f"revert to {number}",
            base=base,
        )
    else:
        raise ProblemError(409, f"Reverting {kind} is not supported; edit the {kind[:-1]} instead.")
    session.commit()
    return written(result)
