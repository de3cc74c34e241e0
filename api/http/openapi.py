"""The responses every operation shares, declared once for the whole OpenAPI document.

Routes declare the errors of their own making (404, 406, 409, 410, …). What the edge of the
application answers — the middleware and FastAPI's request parsing — is added here to every
operation it can happen to, so the document lists each status the API can send:

- 400 for a NUL character in the path or query string, or a body that is not UTF-8;
- 422 for an invalid parameter or body, as a problem document (FastAPI documents its own
  ``HTTPValidationError``, which is never sent);
- 412 and 428 where ``If-Match`` is taken, which is then declared required;
- 413 for bodies over the limit on writes, and 429 where a rate limit is configured;
- 503 with ``Retry-After`` wherever the database is used, for when it is busy past the wait
  a write allows or cannot be reached (``api.http.failures``);
- 401 and 403 on reads when ``QUELLEN_REQUIRE_READ_KEY`` is set;

and the ``Quellen-Consistency`` header on every successful write (``api.http.replicas``).

And links (OpenAPI ``links``) from each read, creation or edit of a resource to the edits
that take its ``ETag`` as ``If-Match``, so a client (or a stateful test) can chain them.

Every 4xx and 5xx is ``application/problem+json``, whatever the operation's own media type.
"""

from typing import Any

from api.http.limits import WRITE_METHODS, is_write
from api.settings import Settings

PROBLEM = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
CONSISTENCY = {
    "Quellen-Consistency": {
        "description": "PostgreSQL: the primary's WAL position after this write; send it "
        "back as the `Quellen-Consistency` header of the reads that must see the write, and "
        "a read replica serves them only once it has replayed it",
        "schema": {"type": "string", "examples": ["0/3A2C1F8"]},
    }
}
IF_MATCH_DESCRIPTION = (
    "the ETag of the resource as last read (required: 428 without it or with `*`, "
    "412 when the resource has changed since)"
)

_DESCRIPTIONS = {
    400: "Malformed request: a NUL character in the path or query string, or a body that "
    "cannot be decoded",
    401: "No valid API key",
    403: "The API key's scope does not allow this",
    412: "The resource has changed since it was read (If-Match does not match its ETag)",
    413: "The request body is larger than QUELLEN_MAX_BODY_BYTES",
    422: "A parameter or the body is invalid (wrong type, out of range, not an EDTF date)",
    428: "If-Match is missing (or `*`): name the ETag of the version you edit",
    429: "Too many requests; Retry-After says when to try again",
    503: "The server is busy (a write or a search waited past its bound) or the database "
    "cannot be reached; Retry-After says when to try again",
}


def _shared_statuses(
    path: str, method: str, operation: dict[str, Any], settings: Settings
) -> list[int]:
    write = is_write(method.upper(), path)
    operations = "operations" in operation.get("tags", [])  # /health; /ready has its own 503
    statuses = [400] if operations else [400, 503]
    parameters = operation.get("parameters", [])
    if any(p["in"] != "header" for p in parameters) or "requestBody" in operation:
        statuses.append(422)  # a header FastAPI checks (If-Match) is a 428 or 412 instead
    if any(_is_if_match(p) for p in operation.get("parameters", [])):
        statuses += [412, 428]
    if method.upper() in WRITE_METHODS:  # every body is bounded, a read-only POST's too
        statuses.append(413)
    if settings.rate_limit_writes if write else settings.rate_limit_reads:
        statuses.append(429)
    if settings.require_read_key and not write and not operations:
        statuses += [401, 403]
    return statuses


def _is_if_match(parameter: dict[str, Any]) -> bool:
    return parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match"


def _as_problem(response: dict[str, Any]) -> None:
    """Errors are problem documents, whatever the media type FastAPI put them under."""
    content = response.get("content")
    if not content:
        response["content"] = {"application/problem+json": {"schema": PROBLEM}}
        return
    media = content.get("application/problem+json") or content.get("application/json")
    media = media or next(iter(content.values()))
    if media.get("schema", {}).get("$ref") == _FASTAPI_VALIDATION:
        media = {**media, "schema": PROBLEM}
    response["content"] = {"application/problem+json": media}


def complete_responses(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the shared error responses to every operation of ``schema`` (in place)."""
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in _shared_statuses(path, method, operation, settings):
                shared: dict[str, Any] = {"description": _DESCRIPTIONS[status]}
                if status in (429, 503):
                    shared["headers"] = RETRY_AFTER
                responses.setdefault(str(status), shared)
            for status, response in responses.items():
                if status[:1] in "45":
                    _as_problem(response)
                elif status[:1] == "2" and is_write(method.upper(), path):
                    response.setdefault("headers", {}).update(CONSISTENCY)
            for parameter in operation.get("parameters", []):
                if _is_if_match(parameter):
                    parameter.update(
                        required=True,
                        description=IF_MATCH_DESCRIPTION,
                        schema={"type": "string", "examples": ['"2f1c0e9a7b3d5e6f8a9b0c1d"']},
                    )
    _link_etags(schema.get("paths", {}))
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):  # no response refers to them now
        components.pop(name, None)
    return schema


def _link_etags(paths: dict[str, Any]) -> None:
    """Links to each edit that needs an ETag as If-Match, from what answers with that ETag:
    a GET of the same resource, an earlier edit of it, and the POST that created it."""
    for path, item in paths.items():
        edits = [
            operation
            for operation in item.values()
            if any(_is_if_match(p) for p in operation.get("parameters", []))
        ]
        if not edits:
            continue
        # (operation answering with the ETag, its status, path parameters it gives the edit)
        sources: list[tuple[dict[str, Any], str, dict[str, str]]] = (
            [(item["get"], "200", {})] if "get" in item else []
        )
        sources += [(edit, "200", {}) for edit in edits if "200" in edit["responses"]]
        parent, _, last = path.rpartition("/")
        creator = paths.get(parent, {}).get("post")
        if creator and "201" in creator["responses"] and last.startswith("{"):
            sources.append((creator, "201", {last.strip("{}"): "$response.body#/id"}))
        for source, status, taken in sources:
            links = source["responses"][status].setdefault("links", {})
            for edit in edits:
                parameters = {
                    p["name"]: taken.get(p["name"], f"$request.path.{p['name']}")
                    for p in edit.get("parameters", [])
                    if p["in"] == "path"
                }
                parameters["header.If-Match"] = "$response.header.ETag"
                links[edit["operationId"]] = {
                    "operationId": edit["operationId"],
                    "parameters": parameters,
                    "description": "edit this resource: its ETag as If-Match",
                }
