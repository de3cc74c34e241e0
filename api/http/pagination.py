"""Keyset pagination with opaque cursors.

A cursor carries the sort key of the last item served, so the next page starts strictly
after it: inserting documents between two requests never repeats or skips an item, and no
page costs more than an index seek. The cursor is base64url JSON; clients must treat it as
opaque.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request

from api.deps import links_base
from api.errors import ProblemError
from api.http.downloads import chosen_format

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_LIMIT, description="items per page (1–200)", examples=[50]),
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="opaque cursor from the `next` link of the previous page",
        ),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def encode_cursor(kind: str, key: list[Any]) -> str:
    raw = json.dumps([kind, *key], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


INT_RANGE = range(-(2**31), 2**31)  # what a 32-bit integer column can compare against


def _fits(value: Any, expected: type) -> bool:
    if value is None:
        return False  # no list keys its pages by a missing value: a forged cursor
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool) and value in INT_RANGE
    return isinstance(value, expected) and len(str(value)) <= 1000


def decode_cursor(cursor: str, kind: str, types: tuple[type, ...]) -> list[Any]:
    """Return the key stored in ``cursor``; 400 when it is not one of ours for this list."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        data = None
    if (
        not isinstance(data, list)
        or len(data) != len(types) + 1
        or data[0] != kind
        or not all(_fits(value, t) for value, t in zip(data[1:], types, strict=True))
    ):
        raise ProblemError(
            400,
            "The cursor is not valid for this list (it may be corrupted, or come from a "
            "different list or sort order). Start again without a cursor.",
        )
    return data[1:]


def next_link(request: Request, cursor: str | None) -> str | None:
    """Absolute URL of the next page, keeping every other query parameter."""
    if cursor is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    chosen = chosen_format(request)  # taken out of the query by api/http/downloads.py
    if chosen is not None:
        params.append(("format", chosen))
    params.append(("cursor", cursor))
    root = links_base(request)
    path = request.url.path
    prefix = request.scope.get("root_path", "")
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]  # the base names the root path already
    return f"{root}{path}?{urlencode(params)}"
