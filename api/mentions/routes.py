"""Mentions of entities in a document, in reading order, for highlighting."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import BaseUrl, SessionDep
from api.documents.routes import DocumentId
from api.http.offsets import Offsets
from api.http.pagination import PageDep, decode_cursor
from api.http.problems import problem_responses
from api.http.responses import page_response
from api.mentions import service
from api.mentions.schemas import MentionList
from api.records.record import ListedEntityType as EntityType

document_router = APIRouter(prefix="/documents/{document_id}", tags=["documents"])


@document_router.get(
    "/mentions",
    response_model=MentionList,
    summary="Mentions in a document, for highlighting",
    description="Every mention in reading order (passages, then notes) with the entity's id, "
    "name and type, offsets in the full text (`start`/`end`) and in its passage or note "
    "(`passage_start`/`passage_end`). Rejected mentions only with `include_rejected=true`.",
    responses=problem_responses(400, 404, 422),
)
def list_document_mentions(
    request: Request,
    session: SessionDep,
    document_id: DocumentId,
    page: PageDep,
    base: BaseUrl,
    type: Annotated[EntityType | None, Query(description="only entities of this type")] = None,
    include_rejected: Annotated[bool, Query(description="include rejected mentions")] = False,
    offsets: Offsets = "codepoints",
) -> Response:
    after = (
        decode_cursor(page.cursor, "doc-mentions", (int, int, int, int)) if page.cursor else None
    )
    items, last = service.document_mentions(
        session,
        document_id=document_id,
        entity_type=type,
        include_rejected=include_rejected,
        after=after,
        limit=page.limit,
        base=base,
        offsets=offsets,
    )
    return page_response(
        request, MentionList, items, limit=page.limit, cursor_kind="doc-mentions", last_key=last
    )
