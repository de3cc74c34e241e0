"""API keys over HTTP: list, create and revoke them (admin only).

How keys are made, hashed and checked is api/db/keys.py; the CLI uses the same functions.
"""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, Response
from sqlalchemy import select
from sqlmodel import col

from api.db.keys import create_key, revoke_key
from api.db.models import ApiKey
from api.deps import PrimarySessionDep, WriteSessionDep
from api.errors import ProblemError
from api.http.auth import AdminKey
from api.http.problems import problem_responses
from api.http.responses import json_response, self_link
from api.keys.schemas import KeyCreate, KeyCreated, KeyList, KeyPublic

router = APIRouter(prefix="/v1", tags=["keys"])


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
    summary="List API keys",
    description="Names, scopes and public prefixes of the keys (never the keys). Admin only.",
    responses=problem_responses(401, 403, 422),
)
def list_keys(request: Request, session: PrimarySessionDep, principal: AdminKey) -> Response:
    keys = session.execute(select(ApiKey).order_by(col(ApiKey.name))).scalars().all()
    body = KeyList(
        items=[_key_public(k) for k in keys],
        limit=len(keys),
        next=None,
        links={"self": self_link(request)},
    )
    return json_response(body)


@router.post(
    "/keys",
    name="create_key",  # the operationId createKey (the function's name is the store's)
    response_model=KeyCreated,
    status_code=201,
    summary="Create an API key",
    description="Returns the new key once; only a salted hash is kept. Admin only.",
    responses=problem_responses(401, 403, 409, 422),
)
def create_api_key(
    session: WriteSessionDep,
    principal: AdminKey,
    body: Annotated[KeyCreate, Body()],
) -> Response:
    secret = create_key(session, name=body.name, scope=body.scope)
    key = session.execute(select(ApiKey).where(col(ApiKey.name) == body.name)).scalar_one()
    session.commit()
    created = KeyCreated(**_key_public(key).model_dump(), key=secret)
    return json_response(created, status_code=201)


@router.delete(
    "/keys/{name}",
    name="revoke_key",
    status_code=204,
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
