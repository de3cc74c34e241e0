"""Resumption tokens (section 3.5): stateless, signed, expiring.

A token holds everything the next page needs — the verb, the metadata format, the set and
date bounds of the first request, the key of the last item served (a change-log ``seq``, or
a collection id for ListSets), the cursor and the size of the complete list — so any worker
or replica can serve the next page with nothing kept between requests. It is base64url
JSON with an HMAC-SHA256 tag: a garbled or edited token fails the tag and is
``badResumptionToken``, as is one past its ``expirationDate``. The tag guards integrity,
not secrets: a token grants nothing its arguments would not.
"""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

LIFETIME = dt.timedelta(hours=24)
_VERSION = 1
_VERBS = {"ListIdentifiers": "I", "ListRecords": "R", "ListSets": "S"}
_TAG_BYTES = 16
_MAX_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Token:
    verb: str
    prefix: str | None
    set_spec: str | None
    since: str | None  # from, as the harvester sent it
    until: str | None
    after: int | str  # the last item served: a change seq, or a collection id
    cursor: int  # items served before the page this token asks for
    total: int  # completeListSize, counted on the first page
    expires: int  # seconds since the epoch

    @property
    def expiration(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.expires, tz=dt.UTC)


def signing_key(secret: str) -> bytes:
    """The HMAC key, derived from a value every worker and replica shares (the route
    passes ``QUELLEN_DATABASE_URL``, the primary's, the same on all of them)."""
    return hashlib.sha256(b"quellen oai-pmh resumption token\0" + secret.encode()).digest()


def expiry(now: dt.datetime) -> int:
    return int((now + LIFETIME).timestamp())


def encode(token: Token, key: bytes) -> str:
    payload = [
        _VERSION,
        _VERBS[token.verb],
        token.prefix,
        token.set_spec,
        token.since,
        token.until,
        token.after,
        token.cursor,
        token.total,
        token.expires,
    ]
    body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{body}.{_b64(_tag(key, body))}"


def decode(text: str, verb: str, key: bytes, now: dt.datetime) -> Token | None:
    """The token ``text`` is, for ``verb``; None when it is not one of ours, was changed,
    belongs to another verb, or has expired."""
    if len(text) > _MAX_LENGTH or text.count(".") != 1:
        return None
    body, tag = text.split(".")
    try:
        if not hmac.compare_digest(_unb64(tag), _tag(key, body)):
            return None
        data = json.loads(_unb64(body))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    if not isinstance(data, list) or len(data) != 10 or data[0] != _VERSION:
        return None
    _, code, prefix, set_spec, since, until, after, cursor, total, expires = data
    if code != _VERBS.get(verb) or not _fits(prefix, set_spec, since, until):
        return None
    key_type = str if verb == "ListSets" else int
    if not all(_is(value, int) for value in (cursor, total, expires)) or not _is(after, key_type):
        return None
    token = Token(verb, prefix, set_spec, since, until, after, cursor, total, expires)
    if token.expires <= now.timestamp():
        return None
    return token


def _fits(*values: Any) -> bool:
    return all(value is None or isinstance(value, str) for value in values)


def _is(value: Any, kind: type) -> bool:
    if kind is int:  # what a BIGINT column can compare against, and no bool
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
    return isinstance(value, str) and kind is str and len(value) <= 200


def _tag(key: bytes, body: str) -> bytes:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()[:_TAG_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))
