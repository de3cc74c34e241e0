"""Curating mentions: add one at exact offsets, accept, reject or relink it, remove it."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.curation.routes.writes import WRITE_ERRORS, IfMatch, patch_of, written
from api.curation.schemas import (
    MentionCreate,
    MentionPatch,
)
from api.curation.service import mentions as service
from api.deps import BaseUrl, SessionDep, WriteSessionDep
from api.documents.routes import DocumentId
from api.http.auth import CurateKey
from api.http.offsets import Offsets
from api.http.problems import problem_responses
from api.http.responses import json_response
from api.mentions import service as mentions
from api.mentions.schemas import MentionPublic

router = APIRouter(tags=["mentions"])


MentionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="mention id")]


@router.post(
    "/documents/{document_id}/mentions",
    response_model=MentionPublic,
    status_code=201,
    summary="Add a mention",
    description="Link words at exact offsets of a passage or note (`passage_start`/"
    "`passage_end`, into the passage's or note's text) to an entity (status curated). The "
    "offsets must hold the surface form given.",
    responses=WRITE_ERRORS,
)
def create_mention(
    session: WriteSessionDep,
    principal: CurateKey,
    document_id: DocumentId,
    body: MentionCreate,
    base: BaseUrl,
) -> Response:
    mention = service.create_mention(session, principal, document_id, body, base=base)
    session.commit()
    return written(mention, status_code=201)


@router.get(
    "/mentions/{mention_id}",
    response_model=MentionPublic,
    summary="Get one mention",
    description="A mention with its entity, its offsets (in the full text and in its "
    "passage or note), status and keyword-in-context snippet.",
    responses=problem_responses(404, 422),
)
def get_mention(
    session: SessionDep, mention_id: MentionId, base: BaseUrl, offsets: Offsets = "codepoints"
) -> Response:
    return json_response(
        mentions.get_mention(session, mention_id=mention_id, base=base, offsets=offsets)
    )


@router.patch(
    "/mentions/{mention_id}",
    response_model=MentionPublic,
    summary="Accept, reject or relink a mention",
    description="`status: curated` accepts, `status: rejected` rejects (a rejected mention "
    "stays rejected when the linker runs again); `entity` links it to another entity.",
    responses=WRITE_ERRORS,
)
def update_mention(
    session: WriteSessionDep,
    principal: CurateKey,
    mention_id: MentionId,
    body: MentionPatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    mention = service.update_mention(
        session, principal, mention_id, patch_of(body), if_match=if_match, base=base
    )
    session.commit()
    return written(mention)


@router.delete(
    "/mentions/{mention_id}",
    status_code=204,
    summary="Remove a mention",
    description="Deletes a curated mention; an automatic one is marked rejected instead, so "
    "the linker does not bring it back. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_mention(
    session: WriteSessionDep,
    principal: CurateKey,
    mention_id: MentionId,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    service.delete_mention(session, principal, mention_id, if_match=if_match, base=base)
    session.commit()
    return Response(status_code=204)
