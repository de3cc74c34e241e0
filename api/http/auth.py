"""API keys and scopes.

A key looks like ``qk_1a2b3c4d.<secret>``: the part before the dot is a public prefix used to
find the key's row; only an HMAC-SHA256 of the secret with a per-key salt is stored, so a
leaked database does not leak working keys. Keys carry one scope; ``admin`` includes
``curate``, which includes ``read``.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.db.models import ApiKey
from api.db.models.base import utcnow
from api.http.problems import ProblemError

SCOPES = ("read", "curate", "admin")
RANK = {scope: rank for rank, scope in enumerate(SCOPES)}
KEY_PREFIX = "qk_"


@dataclass(frozen=True)
class Principal:
    name: str
    scope: str

    def allows(self, scope: str) -> bool:
        return RANK[self.scope] >= RANK[scope]


def _digest(secret: str, salt: str) -> str:
    return hmac.new(salt.encode(), secret.encode(), hashlib.sha256).hexdigest()


def create_key(session: Session, *, name: str, scope: str) -> str:
    """Store a new key and return it; this is the only time the key is ever visible."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    if session.execute(select(ApiKey.id).where(ApiKey.name == name)).first() is not None:
        raise ProblemError(409, f"A key named {name!r} already exists.")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    session.add(
        ApiKey(name=name, prefix=prefix, salt=salt, hash=_digest(secret, salt), scope=scope)
    )
    session.flush()
    return f"{KEY_PREFIX}{prefix}.{secret}"


def revoke_key(session: Session, *, name: str) -> bool:
    key = session.execute(select(ApiKey).where(ApiKey.name == name)).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    session.flush()
    return True


def verify(session: Session, token: str) -> Principal | None:
    if not token.startswith(KEY_PREFIX) or "." not in token:
        return None
    prefix, _, secret = token[len(KEY_PREFIX) :].partition(".")
    key = session.execute(
        select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))  # type: ignore[union-attr]
    ).scalar_one_or_none()
    if key is None or not hmac.compare_digest(key.hash, _digest(secret, key.salt)):
        return None
    return Principal(name=key.name, scope=key.scope)


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


def require(scope: str):  # type: ignore[no-untyped-def]
    """A dependency demanding a key with at least ``scope``."""

    def dependency(request: Request) -> Principal:
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


async def read_access(request: Request) -> None:
    """Reads are public unless QUELLEN_REQUIRE_READ_KEY is set (then checked off the loop)."""
    if request.app.state.settings.require_read_key:
        await run_in_threadpool(require("read"), request)


CurateKey = Annotated[Principal, Depends(require("curate"))]
AdminKey = Annotated[Principal, Depends(require("admin"))]
