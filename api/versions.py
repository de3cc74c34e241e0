"""A resource's version: the hash of the exact bytes its JSON is served as.

The ETag middleware (api/http/etag.py) tags every GET with it, and a write's If-Match check
(api/curation/revisions.py) compares against it inside the write's transaction; both hash
the same bytes, so a curator's ETag is always the version a write checks.
"""

import hashlib

from pydantic import BaseModel


def body_of(model: BaseModel) -> bytes:
    """The exact bytes a model is served as: what GET's ETag hashes and If-Match compares."""
    return model.model_dump_json().encode("utf-8")


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def current_etag(representation: BaseModel) -> str:
    """The ETag a GET of this representation carries."""
    return etag_for(body_of(representation))
