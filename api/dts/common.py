"""What the three DTS endpoints share: constants, errors, URI templates, parameters, paging
and the lookup of a resource (a live document).

Kept apart from api/dts/collections.py, navigation.py and documents.py so that none of
them has to import another for these, and so that each answers 400 and 404 the same way.
Errors follow the specification's table: malformed or contradictory parameters are 400;
whatever does not exist (a resource, a unit, a tree, a page) is 404.
"""

import math
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import select
from sqlmodel import Session, col

from api.db.models import Document
from api.db.models.document import is_live
from api.errors import ProblemError

VERSION = "1.0"
CONTEXT_URL = "https://dtsapi.org/context/v1.0.json"
ROOT_ID = "quellen"
ROOT_TITLE = "Quellen"
TEI = "application/tei+xml"
PLAIN = "text/plain"
MEDIA_TYPES = [TEI, PLAIN]


class BadRequest(ProblemError):
    def __init__(self, detail: str):
        super().__init__(400, detail)


class Missing(ProblemError):
    def __init__(self, detail: str):
        super().__init__(404, detail)


# -- URI templates ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Absolute URLs of the DTS endpoints, from the request's base URL and root path."""

    base: str

    @property
    def entry(self) -> str:
        return f"{self.base}/dts"

    @property
    def collection(self) -> str:
        return f"{self.base}/dts/collection"

    @property
    def navigation(self) -> str:
        return f"{self.base}/dts/navigation"

    @property
    def document(self) -> str:
        return f"{self.base}/dts/document"

    def collection_template(self, identifier: str | None = None, *, pages: bool = True) -> str:
        more = "page,nav" if pages else "nav"
        if identifier is None:
            return f"{self.collection}{{?id,{more}}}"
        return f"{self.collection}?id={quote(identifier, safe='')}{{&{more}}}"

    def navigation_template(self, resource: str | None = None) -> str:
        if resource is None:
            return f"{self.navigation}{{?resource,ref,start,end,down,tree,page}}"
        rest = "{&ref,start,end,down,tree,page}"
        return f"{self.navigation}?resource={quote(resource, safe='')}{rest}"

    def document_template(self, resource: str | None = None) -> str:
        if resource is None:
            return f"{self.document}{{?resource,ref,start,end,tree,mediaType}}"
        rest = "{&ref,start,end,tree,mediaType}"
        return f"{self.document}?resource={quote(resource, safe='')}{rest}"


def entry_point(endpoints: Endpoints) -> dict[str, Any]:
    return {
        "@context": CONTEXT_URL,
        "@id": endpoints.entry,
        "@type": "EntryPoint",
        "dtsVersion": VERSION,
        "collection": endpoints.collection_template(),
        "navigation": endpoints.navigation_template(),
        "document": endpoints.document_template(),
    }


# -- parameters ------------------------------------------------------------------------


def parse_int(name: str, value: str | None, *, minimum: int) -> int | None:
    """A query parameter that must be an integer: 400 (not 422) as DTS clients expect."""
    if value is None:
        return None
    text = value.strip()
    if not text.lstrip("-").isdigit() or len(text) > 9:
        raise BadRequest(f"Query parameter {name!r} must be an integer, not {value!r}.")
    number = int(text)
    if number < minimum:
        raise BadRequest(f"Query parameter {name!r} must be {minimum} or more, not {number}.")
    return number


def check_reference_parameters(ref: str | None, start: str | None, end: str | None) -> None:
    if ref is not None and (start is not None or end is not None):
        raise BadRequest("`ref` cannot be combined with `start` or `end`.")
    if (start is None) != (end is None):
        raise BadRequest("`start` and `end` go together: give both or neither.")


def check_tree(tree_name: str | None, document_id: str) -> None:
    if tree_name is not None:
        raise Missing(
            f"Resource {document_id!r} has one citation tree, the default; there is no tree "
            f"{tree_name!r} (leave `tree` out)."
        )


# -- paging ----------------------------------------------------------------------------


def pagination(url: str, page: int, last: int) -> dict[str, Any]:
    def at(n: int) -> str:
        return f"{url}&page={n}" if "?" in url else f"{url}?page={n}"

    view: dict[str, Any] = {
        "@id": at(page),
        "@type": "Pagination",
        "first": at(1),
        "last": at(last),
    }
    if page > 1:
        view["previous"] = at(page - 1)
    if page < last:
        view["next"] = at(page + 1)
    return view


def page_bounds(total: int, page: int | None, size: int) -> tuple[int, int, int]:
    """(offset, page, last page); 404 for a page past the last."""
    last = max(1, math.ceil(total / size))
    number = page or 1
    if number > last:
        raise Missing(f"There is no page {number}: the last page is {last}.")
    return (number - 1) * size, number, last


# -- resources -------------------------------------------------------------------------


class ResourceRow(NamedTuple):
    """The columns of a document that its DTS ``Resource`` shows."""

    id: str
    collection_id: str
    title: str
    authors: list[str]
    date: str | None
    genre: str | None
    language: str
    provenance: dict[str, Any]


RESOURCE_COLUMNS = (
    col(Document.id),
    col(Document.collection_id),
    col(Document.title),
    col(Document.authors),
    col(Document.date),
    col(Document.genre),
    col(Document.language),
    col(Document.provenance),
)


def find_resource(session: Session, document_id: str) -> ResourceRow | None:
    """A live document as a resource; None if there is none or it is deleted."""
    row = session.execute(
        select(*RESOURCE_COLUMNS).where(col(Document.id) == document_id, is_live())
    ).first()
    return ResourceRow._make(row) if row is not None else None


def require_resource(session: Session, resource: str | None) -> ResourceRow:
    """The ``resource`` parameter of navigation and document: required (400), live (404)."""
    if resource is None:
        raise BadRequest("The `resource` parameter is required.")
    row = find_resource(session, resource)
    if row is None:
        raise Missing(f"No resource with id {resource!r}.")
    return row
