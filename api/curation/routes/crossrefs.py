"""Curating cross-references between sources."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.crossrefs.schemas import CrossReferencePublic
from api.curation.routes.writes import WRITE_ERRORS, IfMatch, patch_of, written
from api.curation.schemas import (
    CrossReferenceCreate,
    CrossReferencePatch,
)
from api.curation.service import crossrefs as service
from api.deps import BaseUrl, RowWriteSessionDep
from api.http.auth import CurateKey

router = APIRouter(tags=["cross-references"])


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
    session: RowWriteSessionDep, principal: CurateKey, body: CrossReferenceCreate, base: BaseUrl
) -> Response:
    xref = service.create_cross_reference(session, principal, body, base=base)
    session.commit()
    return written(xref, status_code=201, location=xref.links["self"])


@router.patch(
    "/cross-references/{xref_id}",
    response_model=CrossReferencePublic,
    summary="Edit a cross-reference",
    description="Change a curated cross-reference's relation or target. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def update_cross_reference(
    session: RowWriteSessionDep,
    principal: CurateKey,
    xref_id: XrefId,
    body: CrossReferencePatch,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    xref = service.update_cross_reference(
        session, principal, xref_id, patch_of(body), if_match=if_match, base=base
    )
    session.commit()
    return written(xref)


@router.delete(
    "/cross-references/{xref_id}",
    status_code=204,
    summary="Delete a cross-reference",
    description="Deletes a curated (or inferred) cross-reference. Needs If-Match.",
    responses=WRITE_ERRORS,
)
def delete_cross_reference(
    session: RowWriteSessionDep,
    principal: CurateKey,
    xref_id: XrefId,
    base: BaseUrl,
    if_match: IfMatch = None,
) -> Response:
    service.delete_cross_reference(session, principal, xref_id, if_match=if_match, base=base)
    session.commit()
    return Response(status_code=204)
