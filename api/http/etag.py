"""ETags for every GET, and 304 answers to ``If-None-Match``.

Pure ASGI rather than BaseHTTPMiddleware: it buffers only single-message bodies (every JSON
and text response here), hashes them, and passes streamed responses through untouched. The
tag is a hash of the exact bytes, so it changes whenever the representation does.
"""

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings
from api.versions import etag_for

# Headers a 304 keeps (RFC 9110, section 15.4.5); the rest describe a body it does not have.
_KEEP_ON_304 = frozenset({b"etag", b"cache-control", b"vary", b"content-location", b"link"})


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    weak = etag.removeprefix("W/")
    return any(
        candidate.strip().removeprefix("W/") == weak for candidate in if_none_match.split(",")
    )


def _header(raw: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The first value of header ``name`` (lower case) in ASGI's raw header list.

    Scanning the list is all that is needed here; wrapping it in Starlette's ``Headers`` and
    ``MutableHeaders`` on every GET cost more than hashing the body.
    """
    for key, value in raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class ETagMiddleware:
    """ETags and 304s for GET; ``cache_control`` is added to every tagged read (a route
    that sets its own keeps it)."""

    def __init__(self, app: ASGIApp, cache_control: str | None = None) -> None:
        self.app = app
        self.cache_control = cache_control.encode("latin-1") if cache_control else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = _header(scope["headers"], b"if-none-match")
        start: Message | None = None

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            if message.get("more_body", False):
                # Streamed: no tag, send what we held back and let the rest flow.
                await send(start)
                start = None
                await send(message)
                return
            headers = list(start.get("headers", ()))
            etag = _header(headers, b"etag")
            if etag is None:
                etag = etag_for(message.get("body", b""))
                headers.append((b"etag", etag.encode("latin-1")))
            if self.cache_control and _header(headers, b"cache-control") is None:
                headers.append((b"cache-control", self.cache_control))
            if if_none_match and _matches(if_none_match, etag):
                kept = [(k, v) for k, v in headers if k.lower() in _KEEP_ON_304]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send(message)

        await self.app(scope, receive, wrapped)


def cache_control(settings: Settings) -> str:
    """What reads say about reuse: a short while, then revalidate with the ETag. Private when
    reads need a key, so a shared cache never hands one client's answer to another."""
    if settings.cache_max_age == 0:
        return "no-cache"
    audience = "private" if settings.require_read_key else "public"
    return f"{audience}, max-age={settings.cache_max_age}, must-revalidate"
