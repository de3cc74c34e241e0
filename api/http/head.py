"""HEAD for every GET: the GET's status and headers, without its body (RFC 9110, 9.3.2).

Clients and proxies probe with HEAD (does it exist, how large, which ETag) before they
download; FastAPI routes answer only the methods they declare, so HEAD was a 405. The
request runs as a GET — the same ETag, Content-Length and 304 — and the body is dropped
on the way out. It sits outside the ETag middleware, which must see the body to hash it.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, without_body)
        finally:
            # what routing learnt (the route, for metrics and the access log) goes back out
            scope.update({k: v for k, v in as_get.items() if k not in ("method", "type")})
