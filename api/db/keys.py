"""API keys and scopes: how keys are made, stored and checked.

A key looks like ``qk_1a2b3c4d.<secret>``: the part before the dot is a public prefix used to
find the key's row; only an HMAC-SHA256 of the secret with a per-key salt is stored, so a
leaked database does not leak working keys. Keys carry one scope; ``admin`` includes
``curate``, which includes ``read``.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import ApiKey
from api.db.models.base import utcnow
from api.errors import ProblemError

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
    if session.execute(select(col(ApiKey.id)).where(col(ApiKey.name) == name)).first() is not None:
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
    key = session.execute(select(ApiKey).where(col(ApiKey.name) == name)).scalar_one_or_none()
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
        select(ApiKey).where(col(ApiKey.prefix) == prefix, col(ApiKey.revoked_at).is_(None))
    ).scalar_one_or_none()
    if key is None or not hmac.compare_digest(key.hash, _digest(secret, key.salt)):
        return None
    return Principal(name=key.name, scope=key.scope)
