"""What every write route shares: the If-Match header, the error statuses a write can
answer with, and the response a write returns (its new ETag, and Location on create)."""

from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel

from api.errors import ProblemError
from api.http.problems import problem_responses
from api.http.responses import json_response
from api.versions import current_etag

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="the ETag of the resource as last read; required for PATCH and DELETE",
    ),
]
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 410, 422)  # 412, 428: api/http/openapi.py


def written(model: BaseModel, *, status_code: int = 200, location: str | None = None) -> Response:
    headers = {"ETag": current_etag(model)}
    if location:
        headers["Location"] = location
    return json_response(model, headers=headers, status_code=status_code)


def patch_of(body: BaseModel) -> dict[str, Any]:
    patch = body.model_dump(exclude_unset=True)
    if not patch:
        raise ProblemError(422, "The patch changes nothing: give at least one field.")
    return patch
