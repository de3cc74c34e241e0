"""Who is calling: the Bearer key of a request, and the scope a route demands.

Keys themselves (their format, hashing and scopes) are kept in api/db/keys.py.
"""

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.db.keys import Principal, verify
from api.errors import ProblemError

BEARER = HTTPBearer(
    auto_error=False,  # ``authenticate`` answers a missing or malformed key with its own 401
    scheme_name="apiKey",
    bearerFormat="qk_<prefix>.<secret>",
    description="An API key from `quellen keys create` or `POST /v1/keys`, sent as "
    "`Authorization: Bearer <key>`. Scopes: `read` (only needed when "
    "QUELLEN_REQUIRE_READ_KEY is set), `curate` (writes), `admin` (keys, hard deletes, "
    "restores, reverts).",
)
"""Declared on every route that takes a key, so the OpenAPI document has a
``securitySchemes`` entry: the Authorize button in /docs and the key in generated clients."""
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


def _challenge(error: str | None = None) -> dict[str, str]:
    value = 'Bearer realm="quellen"'
    if error:
        value += f', error="{error}"'
    return {"WWW-Authenticate": value}


def authenticate(request: Request) -> Principal | None:
    """The key sent with the request, if any; 401 for a malformed or unknown key."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(
            401,
            "Send the API key as 'Authorization: Bearer <key>'.",
            headers=_challenge("invalid_request"),
        )
    with Session(request.app.state.engine) as session:
        principal = verify(session, token.strip())
    if principal is None:
        raise ProblemError(
            401,
            "The API key is not valid (unknown or revoked).",
            headers=_challenge("invalid_token"),
        )
    return principal


def require(scope: str) -> Callable[[Request, HTTPAuthorizationCredentials | None], Principal]:
    """A dependency demanding a key with at least ``scope``."""

    def dependency(request: Request, _: Credentials) -> Principal:
        principal = authenticate(request)
        if principal is None:
            raise ProblemError(
                401, f"This needs an API key with the {scope!r} scope.", headers=_challenge()
            )
        if not principal.allows(scope):
            raise ProblemError(
                403,
                f"The key {principal.name!r} has the {principal.scope!r} scope; this needs "
                f"{scope!r}.",
            )
        request.state.principal = principal
        return principal

    return dependency


async def read_access(request: Request, credentials: Credentials) -> None:
    """Reads are public unless QUELLEN_REQUIRE_READ_KEY is set (then checked off the loop)."""
    if request.app.state.settings.require_read_key:
        await run_in_threadpool(partial(require("read"), request, credentials))


CurateKey = Annotated[Principal, Depends(require("curate"))]
AdminKey = Annotated[Principal, Depends(require("admin"))]
