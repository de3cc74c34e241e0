"""NUL characters refused at the edge, before any route or database sees them.

PostgreSQL cannot store U+0000 in text, and no source, name or query means one: a NUL in
the path or query string (``%00``) is a 400, and one in a JSON body (``\\u0000``) a 422,
both as problem+json naming where it was. Only JSON bodies are looked into (they are small
and bounded by ``QUELLEN_MAX_BODY_BYTES``); uploads are files, read by the importer.
"""

import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import send_problem

_IN_URL = re.compile(rb"%00|\x00")
_IN_JSON = re.compile(rb"\\u0000|\x00", re.IGNORECASE)


class NulRefusalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if _IN_URL.search(raw_path) or "\x00" in scope["path"]:
            await send_problem(
                scope, receive, send, 400, "The path holds a NUL character (%00), which no id has."
            )
            return
        if _IN_URL.search(scope.get("query_string", b"")):
            await send_problem(
                scope, receive, send, 400, "The query string holds a NUL character (%00)."
            )
            return
        content_type = Headers(scope=scope).get("content-type", "")
        if "json" not in content_type:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        if _IN_JSON.search(body):
            await send_problem(
                scope,
                receive,
                send,
                422,
                "The JSON body holds a NUL character (\\u0000), which no text may hold.",
            )
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)
