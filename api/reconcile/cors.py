"""Cross-origin access to ``/reconcile``, for every origin, as the specification requires.

"All HTTP(S) endpoints exposed by the service MUST enable access by CORS" (Reconciliation
Service API 0.2, *Cross-Origin Access*): a reconciliation client is often a page on
another origin. The service only reads and takes no cookies, so every origin may call it
(``Access-Control-Allow-Origin: *``, never with credentials) while the rest of the API
keeps ``QUELLEN_CORS_ORIGINS``. This middleware sits outside the API's own CORS
middleware: it answers the preflights of ``/reconcile`` itself and sets the header on
every answer under it (errors, 401s, 413s and 429s included), replacing whatever the
API's CORS middleware put there. It also lets the preview be framed: it drops
``X-Frame-Options`` from ``/reconcile/preview``, whose own policy says
``frame-ancestors *``.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/reconcile"
PREVIEW = PREFIX + "/preview"
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-None-Match",
    "Access-Control-Max-Age": "600",
}
_REPLACED = (
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
)


def service_path(scope: Scope) -> str | None:
    """The path under the application's root when it is the service's, else None."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path if path == PREFIX or path.startswith(PREFIX + "/") else None


class ReconcileCORSMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = service_path(scope) if scope["type"] == "http" else None
        if path is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if (
            scope["method"] == "OPTIONS"
            and "origin" in headers
            and "access-control-request-method" in headers
        ):
            await Response(status_code=204, headers=PREFLIGHT_HEADERS)(scope, receive, send)
            return
        framed = path == PREVIEW

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                for name in _REPLACED:
                    del response[name]
                response["access-control-allow-origin"] = "*"
                response["access-control-expose-headers"] = "ETag, Retry-After"
                if framed:
                    del response["x-frame-options"]
            await send(message)

        await self.app(scope, receive, with_cors)
