"""Unknown query parameters are refused (400), not ignored.

A typo (``?colection=frus``) that is silently dropped returns every document and looks
like an answer; a 400 naming the parameter and those the route takes says what went
wrong. What a route takes is what the OpenAPI document says it takes: its query
parameters, looked up by the matched route's template (read once per route).
"""

from typing import Any

from fastapi import Request

from api.errors import ProblemError
from api.http.observability import route_template

_KNOWN: dict[tuple[str, str], frozenset[str]] = {}


def _known(request: Request, template: str) -> frozenset[str]:
    key = (request.method, template)
    names = _KNOWN.get(key)
    if names is None:
        paths: dict[str, Any] = request.app.openapi().get("paths", {})
        operation = paths.get(template, {}).get(request.method.lower(), {})
        names = frozenset(
            p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
        )
        _KNOWN[key] = names
    return names


async def refuse_unknown_query(request: Request) -> None:
    """A dependency for routers whose routes take only the query parameters they declare."""
    if not request.query_params:
        return
    known = _known(request, route_template(request.scope))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise ProblemError(
            400,
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(name) for name in unknown)}; this route takes: {takes}.",
        )
