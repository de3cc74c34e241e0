"""How a write's body becomes a change: RFC 7396 JSON merge patches, and input the
record refuses turned into one 422 problem naming what is wrong.
"""

from typing import overload

from pydantic import JsonValue, ValidationError

from api.errors import IngestError, ProblemError


@overload
def merge_patch(target: object, patch: dict[str, JsonValue]) -> dict[str, JsonValue]: ...
@overload
def merge_patch(target: object, patch: JsonValue) -> JsonValue: ...
def merge_patch(target: object, patch: JsonValue) -> JsonValue:
    """RFC 7396 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return patch
    result: dict[str, JsonValue] = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def invalid(exc: ValidationError | IngestError | ValueError) -> ProblemError:
    if isinstance(exc, ValidationError):
        errors = [
            {
                "in": "body",
                "name": ".".join(str(p) for p in e["loc"]) or "body",
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['name']}: {e['message']}" for e in errors)
        return ProblemError(422, detail, errors=errors)
    message = exc.message if isinstance(exc, IngestError) else str(exc)
    return ProblemError(422, message)
