"""Shapes shared by every resource: problems, links and paginated lists."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite keeps no time zone; every timestamp Quellen writes is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No document with id 'no-such-document'.",
                    "instance": "/v1/documents/no-such-document",
                }
            ]
        }
    )

    type: str = Field(default="about:blank", description="URI identifying the problem type")
    title: str = Field(description="short summary of the problem type")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong with this request, for a human")
    instance: str | None = Field(default=None, description="the request path")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="one entry per invalid parameter, when there are several"
    )


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """A page of a list. Follow ``next`` (also sent as ``Link: <…>; rel="next"``) for more."""

    items: list[ItemT]
    limit: int = Field(description="the page size asked for")
    next: str | None = Field(description="URL of the next page, or null on the last page")
    links: dict[str, str] = Field(description="self: the URL of this page")


def _list_url(example: object) -> str:
    """Where a list of the example item lives: its ``self`` link less the last segment."""
    links = example.get("links") if isinstance(example, dict) else None
    own = links.get("self") if isinstance(links, dict) else None
    return own.rsplit("/", 1)[0] if isinstance(own, str) else "/v1"


def list_example(
    item: type[BaseModel], next_url: str | None = None, *, self_url: str | None = None
) -> ConfigDict:
    """Model config giving a list model an example page built from its item's example;
    ``self_url`` is the list's URL when it is not the item's own less its id."""
    extra = item.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    first = examples[:1] if isinstance(examples, list) else []
    page: JsonDict = {
        "items": first,
        "limit": 50,
        "next": next_url,
        "links": {"self": self_url or _list_url(first[0] if first else None)},
    }
    return ConfigDict(json_schema_extra={"examples": [page]})


def every_page(fetch: Callable[[Any], tuple[list[ItemT], Any]]) -> Iterator[ItemT]:
    """Every item of a keyset-paged service list: ``fetch(after)`` page after page, until a
    page comes back without the key to continue from."""
    after = None
    while True:
        items, after = fetch(after)
        yield from items
        if after is None:
            return
