"""The OpenAPI document as client generators read it.

openapi-python-client, openapi-typescript and their kin type each operation from its
success response; they need one body per operation, stable schema names, the headers a
response carries and an example of every body. FastAPI gives less than that, so the
document is finished here:

- **One 200 body.** An operation that also answers TEI, CSV or JSON-LD lists only its JSON
  in ``content``, so a generated ``data.items`` type-checks; the other representations are
  named in the response's description, under ``x-alternatives`` (media type, schema and
  example) and in the ``format`` query parameter that selects them
  (``api.http.downloads``).
- **Headers**: ``ETag`` and ``Cache-Control`` on reads (and ``304`` for ``If-None-Match``),
  ``Link`` on pages, ``Location`` on creations, ``ETag`` on edits.
- **Examples**: every JSON request body shows its schema's first example; every read shows
  a real answer from the seed corpus (``openapi_examples.json``, regenerated and compared
  with what the API answers by ``tests/test_openapi_examples.py``, so it cannot go stale).
- **Names**: FastAPI's ``Body_<operation>`` multipart schema becomes ``<Operation>Body``.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from api.http.downloads import FORMATS

EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")
JSON_TYPES = ("application/json", "application/ld+json")
ETAG = {
    "ETag": {
        "description": "the version of this representation: send it back as If-None-Match "
        "(304 when unchanged) or, on an edit, as If-Match",
        "schema": {"type": "string"},
    }
}
CACHE_CONTROL = {
    "Cache-Control": {
        "description": "how long a cache may reuse the answer before revalidating with its "
        "ETag (QUELLEN_CACHE_MAX_AGE)",
        "schema": {"type": "string", "examples": ["public, max-age=60, must-revalidate"]},
    }
}
LINK = {
    "Link": {
        "description": 'the next page as `<URL>; rel="next"` (RFC 8288), as in `next`',
        "schema": {"type": "string"},
    }
}
LOCATION = {
    "Location": {"description": "the URL of the new resource", "schema": {"type": "string"}}
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "the ETag of the copy you hold: 304 Not Modified, no body, when current",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {
    "description": "Not Modified: the ETag in If-None-Match is current",
    "headers": ETAG,
}
_FORMAT_NAMES = {media_type: name for name, media_type in FORMATS.items()}


@cache
def recorded_examples() -> dict[str, Any]:
    """Real answers from the seed corpus, keyed by operationId (empty when not generated)."""
    if not EXAMPLES_FILE.exists():
        return {}
    examples: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return examples


def shape_for_clients(schema: dict[str, Any]) -> dict[str, Any]:
    """Finish ``schema`` (in place) as the module docstring says."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _rename_body_schemas(schema, components)
    examples = recorded_examples()
    described: dict[str, Any] = {}  # schema name → the recorded answer of a read
    unexampled: list[dict[str, Any]] = []
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            status, success = _success(operation)
            if success is None:
                continue
            _single_body(path, operation, success)
            _headers(method, operation, status, success)
            _request_example(operation, components)
            media = success.get("content", {}).get("application/json")
            if media is None:
                continue
            example = examples.get(operation["operationId"])
            name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            if example is not None:
                media["example"] = example
                described[name] = example
            elif "example" not in media:
                unexampled.append(media)
    for media in unexampled:  # a write answers with the resource a read was recorded for
        name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        if name in described:
            media["example"] = described[name]
    requested = {
        body["schema"].get("$ref", "").rsplit("/", 1)[-1]
        for item in schema.get("paths", {}).values()
        for operation in item.values()
        for body in operation.get("requestBody", {}).get("content", {}).values()
    }
    for name in described.keys() - requested:  # the recorded answer is the one example shown
        components.get(name, {}).pop("examples", None)
    return schema


def _success(operation: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    for status, response in operation.get("responses", {}).items():
        if status.startswith("2"):
            return status, response
    return "", None


def _single_body(path: str, operation: dict[str, Any], success: dict[str, Any]) -> None:
    """Keep the JSON body; move representations of another shape to ``x-alternatives``."""
    content: dict[str, Any] = success.get("content", {})
    default = operation.pop("x-default-media-type", None)  # a route whose default is not JSON
    if len(content) < 2:
        return
    primary = default or next((m for m in content if m == "application/json"), next(iter(content)))
    same_shape = content[primary].get("schema")
    alternatives = {
        media: entry
        for media, entry in content.items()
        if media != primary and entry.get("schema") != same_shape
    }
    if not alternatives:
        return
    success["content"] = {m: e for m, e in content.items() if m not in alternatives}
    success["x-alternatives"] = alternatives
    names = [_FORMAT_NAMES.get(media) for media in alternatives]
    listed = ", ".join(
        f"`{media}`" + (f" (`?format={name}`)" if name and path.startswith("/v1") else "")
        for media, name in zip(alternatives, names, strict=True)
    )
    success["description"] = (
        f"{success.get('description', 'Successful Response')}. Also as {listed}: ask with "
        "`Accept` or the `format` parameter."
    )
    if not path.startswith("/v1"):
        return
    offered = [_FORMAT_NAMES.get(primary, "json"), *(n for n in names if n)]
    operation.setdefault("parameters", []).append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "a download instead of the JSON: the representation by name, "
            "answered with `Content-Disposition: attachment` (an alternative to `Accept`)",
            "schema": {"type": "string", "enum": offered},
        }
    )


def _headers(method: str, operation: dict[str, Any], status: str, success: dict[str, Any]) -> None:
    headers = success.setdefault("headers", {})
    if method == "get" and "operations" not in operation.get("tags", []):
        headers.update(ETAG | CACHE_CONTROL)
        if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
            headers.update(LINK)
        operation.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
        operation["responses"].setdefault("304", NOT_MODIFIED)
    elif status == "201":
        headers.update(LOCATION | ETAG)
    elif method == "patch" or (method == "post" and status == "200"):
        headers.update(ETAG)
    if not headers:
        success.pop("headers")


def _request_example(operation: dict[str, Any], components: dict[str, Any]) -> None:
    for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
        name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        examples = components.get(name, {}).get("examples")
        if examples and "example" not in media:
            media["example"] = examples[0]
        elif media_type == "multipart/form-data" and "example" not in media:
            fields = components.get(name, {}).get("properties", {})
            media["example"] = {
                field: (
                    "<file>"
                    if "contentMediaType" in spec or spec.get("format") == "binary"
                    else spec.get("default")
                )
                for field, spec in fields.items()
            }


def _rename_body_schemas(schema: dict[str, Any], components: dict[str, Any]) -> None:
    renamed = {
        name: name.removeprefix("Body_")[:1].upper() + name.removeprefix("Body_")[1:] + "Body"
        for name in components
        if name.startswith("Body_")
    }
    if not renamed:
        return
    for old, new in renamed.items():
        components[new] = components.pop(old)
        components[new]["title"] = new
    text = json.dumps(schema["paths"])
    for old, new in renamed.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    schema["paths"] = json.loads(text)
