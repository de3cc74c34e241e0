"""The DTS Collection endpoint: the root, the Quellen collections and their documents.

The root collection (``@id`` ``quellen``) holds the Quellen collections, each of which holds
its live documents as ``Resource`` members, 100 a page; ``nav=parents`` walks back up. A
document asked for by its id is a ``Resource`` with its citation tree (built in
api/dts/navigation.py). Deleted documents are left out through ``is_live()``, the one
filter of api/db/models/document.py.
"""

from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from api.db.models import Collection, Document
from api.db.models.document import is_live
from api.dts.common import (
    CONTEXT_URL,
    MEDIA_TYPES,
    RESOURCE_COLUMNS,
    ROOT_ID,
    ROOT_TITLE,
    VERSION,
    BadRequest,
    Endpoints,
    Missing,
    ResourceRow,
    find_resource,
    page_bounds,
    pagination,
)
from api.dts.navigation import build_tree, citation_tree

COLLECTION_PAGE_SIZE = 100


class CollectionRow(NamedTuple):
    """A Quellen collection with the number of its live documents."""

    id: str
    title: str
    description: str | None
    publisher: str | None
    documents: int


def _document_metadata(row: ResourceRow) -> dict[str, Any]:
    lang = row.language
    metadata: dict[str, Any] = {
        "title": [{"lang": lang, "value": row.title}],
        "language": [lang],
        "identifier": [row.id],
    }
    if row.authors:
        metadata["creator"] = list(row.authors)
    if row.date:
        metadata["date"] = row.date
    if row.genre:
        metadata["type"] = [row.genre]
    publisher = (row.provenance or {}).get("publisher")
    if publisher:
        metadata["publisher"] = [publisher]
    container = (row.provenance or {}).get("container_title")
    if container:
        metadata["isPartOf"] = [container]
    rights = (row.provenance or {}).get("rights")
    if rights:
        metadata["rights"] = [rights]
    return metadata


def _resource(row: ResourceRow, endpoints: Endpoints, *, parents: int = 1) -> dict[str, Any]:
    return {
        "@id": row.id,
        "@type": "Resource",
        "title": row.title,
        "totalParents": parents,
        "totalChildren": 0,
        "dublinCore": _document_metadata(row),
        "collection": endpoints.collection_template(row.id, pages=False),
        "navigation": endpoints.navigation_template(row.id),
        "document": endpoints.document_template(row.id),
        "download": f"{endpoints.document}?resource={quote(row.id, safe='')}",
        "mediaTypes": list(MEDIA_TYPES),
    }


def _collection_member(row: CollectionRow, endpoints: Endpoints) -> dict[str, Any]:
    member: dict[str, Any] = {
        "@id": row.id,
        "@type": "Collection",
        "title": row.title,
        "totalParents": 1,
        "totalChildren": row.documents,
        "collection": endpoints.collection_template(row.id),
    }
    if row.description:
        member["description"] = row.description
    if row.publisher:
        member["dublinCore"] = {"publisher": [row.publisher]}
    return member


def _root_member(endpoints: Endpoints, total: int) -> dict[str, Any]:
    return {
        "@id": ROOT_ID,
        "@type": "Collection",
        "title": ROOT_TITLE,
        "totalParents": 0,
        "totalChildren": total,
        "collection": endpoints.collection_template(ROOT_ID),
    }


def _select_collections() -> Select[str, str, str | None, str | None, int]:
    """Collections with the number of their live documents, as ``CollectionRow`` columns."""
    documents = (
        select(func.count())
        .where(col(Document.collection_id) == col(Collection.id), is_live())
        .correlate(Collection)
        .scalar_subquery()
    )
    return select(
        col(Collection.id),
        col(Collection.title),
        col(Collection.description),
        col(Collection.publisher),
        documents.label("documents"),
    )


def _collections(session: Session, *, offset: int, limit: int) -> list[CollectionRow]:
    query = _select_collections().order_by(col(Collection.id))
    rows = session.execute(query.offset(offset).limit(limit)).all()
    return [CollectionRow._make(row) for row in rows]


def _collection_of(session: Session, collection_id: str) -> CollectionRow | None:
    query = _select_collections().where(col(Collection.id) == collection_id)
    row = session.execute(query).first()
    return CollectionRow._make(row) if row is not None else None


def collection(
    session: Session,
    endpoints: Endpoints,
    *,
    identifier: str | None,
    page: int | None,
    nav: str,
    page_url: str,
) -> dict[str, Any]:
    """The Collection endpoint: the root, a Quellen collection, or a document as Resource."""
    if nav not in ("children", "parents"):
        raise BadRequest(f"`nav` is children or parents, not {nav!r}.")
    head = {"@context": CONTEXT_URL, "dtsVersion": VERSION}
    total_collections: int = session.execute(
        select(func.count()).select_from(Collection)
    ).scalar_one()
    if identifier is None or identifier == ROOT_ID:
        body: dict[str, Any] = {
            **head,
            "@id": ROOT_ID,
            "@type": "Collection",
            "title": ROOT_TITLE,
            "description": "Every collection of curated historical sources in this Quellen.",
            "totalParents": 0,
            "totalChildren": total_collections,
            "collection": endpoints.collection_template(),
        }
        if nav == "parents":
            body["member"] = []
            return body
        offset, number, last = page_bounds(total_collections, page, COLLECTION_PAGE_SIZE)
        rows = _collections(session, offset=offset, limit=COLLECTION_PAGE_SIZE)
        body["member"] = [_collection_member(r, endpoints) for r in rows]
        if last > 1 or page is not None:
            body["view"] = pagination(page_url, number, last)
        return body
    found = session.execute(
        select(
            col(Collection.id),
            col(Collection.title),
            col(Collection.description),
            col(Collection.publisher),
        ).where(col(Collection.id) == identifier)
    ).first()
    if found is not None:
        count: int = session.execute(
            select(func.count()).where(col(Document.collection_id) == identifier, is_live())
        ).scalar_one()
        body = {
            **head,
            "@id": found.id,
            "@type": "Collection",
            "title": found.title,
            "totalParents": 1,
            "totalChildren": count,
            "collection": endpoints.collection_template(found.id),
        }
        if found.description:
            body["description"] = found.description
        if found.publisher:
            body["dublinCore"] = {"publisher": [found.publisher]}
        if nav == "parents":
            body["member"] = [_root_member(endpoints, total_collections)]
            return body
        offset, number, last = page_bounds(count, page, COLLECTION_PAGE_SIZE)
        resources = session.execute(
            select(*RESOURCE_COLUMNS)
            .where(col(Document.collection_id) == identifier, is_live())
            .order_by(col(Document.id))
            .offset(offset)
            .limit(COLLECTION_PAGE_SIZE)
        ).all()
        body["member"] = [_resource(ResourceRow._make(r), endpoints) for r in resources]
        if last > 1 or page is not None:
            body["view"] = pagination(page_url, number, last)
        return body
    resource = find_resource(session, identifier)
    if resource is None:
        raise Missing(f"No collection or resource with id {identifier!r}.")
    if page is not None and page > 1:
        raise Missing(f"There is no page {page}: a resource has one page.")
    body = {**head, **_resource(resource, endpoints)}
    body["citationTrees"] = [citation_tree(build_tree(session, resource.id))]
    if nav == "parents":
        parent = _collection_of(session, resource.collection_id)
        body["member"] = [_collection_member(parent, endpoints)] if parent is not None else []
    return body
