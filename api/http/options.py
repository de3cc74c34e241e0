"""OPTIONS requests: CORS preflights refused as problem+json, every other OPTIONS answered.

A browser's preflight goes to Starlette's CORS middleware; when it is refused, the answer
is a problem+json 400 like every other error (Starlette sends a line of plain text). An
OPTIONS request that is no preflight (a client asking what a URL allows) is answered 204
with ``Allow``, rather than 405: the methods of every route the path matches.
"""

import json
import re

from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.problems import PROBLEM_JSON, problem_document


class ProblemCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        detail = bytes(response.body).decode() + " (the origin, method or headers of this "
        detail += "cross-origin request are not among those QUELLEN_CORS_ORIGINS allows)."
        body = json.dumps(problem_document(400, detail))
        headers = {
            k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")
        }
        return Response(body, status_code=400, headers=headers, media_type=PROBLEM_JSON)


class OptionsMiddleware:
    """204 with ``Allow`` for an OPTIONS request to a path the API documents.

    The paths and their methods are the OpenAPI document's (read once, on the first
    OPTIONS request): what a client is told it may do there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._paths: list[tuple[re.Pattern[str], set[str]]] | None = None

    def _methods(self, scope: Scope) -> set[str]:
        if self._paths is None:
            self._paths = [
                (_template(path), {method.upper() for method in operations})
                for path, operations in scope["app"].openapi()["paths"].items()
            ]
        path = scope["path"]
        found = {m for pattern, methods in self._paths if pattern.fullmatch(path) for m in methods}
        return found | {"HEAD"} if "GET" in found else found  # api/http/head.py

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods = self._methods(scope)
        if not methods:
            await self.app(scope, receive, send)  # no such path: the router's 404
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)


def _template(path: str) -> re.Pattern[str]:
    """``/v1/documents/{document_id}`` as a pattern (``{name:path}`` spans slashes)."""
    parts = re.split(r"(\{[^}]+\})", path)
    pattern = "".join(
        (".+" if part.endswith(":path}") else "[^/]+") if part.startswith("{") else re.escape(part)
        for part in parts
    )
    return re.compile(pattern)
