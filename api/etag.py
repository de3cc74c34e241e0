"""ETags for every GET, and 304 answers to ``If-None-Match``.

Pure ASGI rather than BaseHTTPMiddleware: it buffers only single-message bodies (every JSON
and text response here), hashes them, and passes streamed responses through untouched. The
tag is a hash of the exact bytes, so it changes whenever the representation does.
"""

import hashlib
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    weak = etag.removeprefix("W/")
    return any(
        candidate.strip().removeprefix("W/") == weak for candidate in if_none_match.split(",")
    )


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        start: dict[str, Any] | None = None

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                start = dict(message)
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
            headers = MutableHeaders(raw=list(start["headers"]))
            etag = headers.get("etag")
            if etag is None:
                etag = etag_for(message.get("body", b""))
                headers["ETag"] = etag
            if if_none_match and _matches(if_none_match, etag):
                keep = {"etag", "cache-control", "vary", "content-location", "link"}
                raw = [(k, v) for k, v in headers.raw if k.decode().lower() in keep]
                await send({"type": "http.response.start", "status": 304, "headers": raw})
                await send({"type": "http.response.body", "body": b""})
                return
            start["headers"] = headers.raw
            await send(start)
            await send(message)

        await self.app(scope, receive, wrapped)
